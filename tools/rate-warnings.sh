#!/bin/sh
# After a demo or a soak: say which workloads the machine could not run at
# their `rate` (gemsoakd's workload-below-rate events): their verdicts
# need longer than the config assumed, and `gemsoak gate` fails the run
# for too little work. usage: rate-warnings.sh DB
db=${1:?usage: rate-warnings.sh DB}
sqlite3 "$db" "select 'warning: the machine was too busy for the config: ' || substr(source, 10) || ' ran at ' ||
	message || ' (since ' || datetime(t, 'unixepoch') || ' UTC)' from events
	where kind = 'workload-below-rate' order by t" >&2
