-- The threshold row that applies to each metric: the trend_thresholds row
-- whose GLOB pattern matches the metric's name and is longest.
CREATE VIEW metric_thresholds AS
SELECT m.id AS metric_id, th.*
FROM metrics m JOIN trend_thresholds th
  ON th.pattern = (SELECT pattern FROM trend_thresholds WHERE m.name GLOB pattern
                   ORDER BY length(pattern) DESC, pattern LIMIT 1);
