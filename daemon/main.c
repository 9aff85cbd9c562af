/* gemsoakd: runs buffer-sharing workloads against a DRM device and records
 * the kernel's counters in SQLite, so slow leaks show up as trends. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"
#include "daemon/config-caps.h"
#include "daemon/config.h"
#include "daemon/server.h"
#include "db/db-path.h"
#include "device/device.h"
#include "sources/sources.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: gemsoakd [-c FILE] [--duration TIME] [-v]\n"
		"       gemsoakd --check-config FILE\n"
		"\n"
		"  -c, --config FILE       configuration (default " GS_DEFAULT_CONFIG ")\n"
		"      --check-config FILE validate FILE (and the device's capabilities when\n"
		"                          its device is present), then exit\n"
		"      --database FILE     use FILE instead of the config's database\n"
		"      --list-workloads    print the workload types and their keys, then exit\n"
		"      --list-metrics      print every metric (name, unit, kind, judged or\n"
		"                          recorded, what it counts), then exit\n"
		"      --duration TIME     stop after TIME (e.g. 90s, 2h); default: until SIGTERM\n"
		"      --new-run           start a new run even when the database's last run\n"
		"                          has the same kernel and configuration\n"
		"  -v, --verbose           debug messages\n"
		"      --version           print the version\n"
		"  -h, --help              this help\n"
		"\n"
		"Exit status: 0 ok, 64 usage, 69 device unavailable, 71 system error,\n"
		"73 database cannot be opened, 78 configuration error.\n"
		"See gemsoakd(8) and gemsoak.conf(5).\n");
}

/* Resolve and probe the configured device; messages name the config line. */
static int open_device(const struct gs_config *cfg, struct gs_device *dev, bool quiet_missing)
{
	char path[256], err[512];
	if (device_resolve(cfg->device, path, sizeof(path), err, sizeof(err)) ||
	    device_probe(path, dev, err, sizeof(err))) {
		if (!quiet_missing) {
			if (cfg->device_line)
				fprintf(stderr, "gemsoakd: %s (device = %s at %s:%d)\n", err, cfg->device,
					cfg->path, cfg->device_line);
			else
				fprintf(stderr, "gemsoakd: %s\n", err);
		}
		return -1;
	}
	return 0;
}

static int check_config(const char *path)
{
	struct gs_config cfg;
	int problems = config_load_dir(path, &cfg, stderr);
	if (!problems)
		problems = config_check_user(&cfg, stderr);
	if (!problems) {
		struct gs_device dev;
		if (open_device(&cfg, &dev, true) == 0)
			problems = config_check_caps(&cfg, dev.caps, dev.path, dev.driver, stderr);
		else
			printf("%s: device %s is not present here; its capabilities were not checked\n",
			       path, cfg.device);
	}
	if (!problems)
		printf("%s: ok (%zu workload(s))\n", path, cfg.nworkloads);
	config_free(&cfg);
	return problems ? GS_EXIT_CONFIG : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", required_argument, NULL, 'C' },
		{ "duration", required_argument, NULL, 'd' },
		{ "database", required_argument, NULL, 'D' },
		{ "list-workloads", no_argument, NULL, 'L' },
		{ "list-metrics", no_argument, NULL, 'M' },
		{ "new-run", no_argument, NULL, 'N' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = GS_DEFAULT_CONFIG, *database = NULL;
	server_hold_signals();
	struct server_options sopt = { 0 };
	int64_t ms;
	int c;
	log_init("gemsoakd");
	while ((c = getopt_long(argc, argv, "c:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 'C':
			return check_config(optarg);
		case 'd':
			if (!parse_duration_ms(optarg, 1, INT64_MAX / 2, &ms)) {
				fprintf(stderr, "gemsoakd: --duration: '%s' is not a duration (e.g. 90s, 2h)\n", optarg);
				return 64;
			}
			sopt.duration_s = (double)ms / 1000.0;
			break;
		case 'D':
			database = optarg;
			break;
		case 'L':
			wl_print_types(stdout);
			return 0;
		case 'M':
			metrics_print(stdout);
			return 0;
		case 'N':
			sopt.new_run = true;
			break;
		case 'v':
			log_verbose = 1;
			break;
		case 'V':
			printf("gemsoakd %s\n", GS_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 64;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 64;
	}

	struct gs_config cfg;
	if (config_load_dir(config, &cfg, stderr) || config_check_user(&cfg, stderr)) {
		config_free(&cfg);
		return GS_EXIT_CONFIG;
	}
	if (database && !fmt_ok(cfg.database, sizeof(cfg.database), "%s", database)) {
		fprintf(stderr, "gemsoakd: --database: path too long\n");
		config_free(&cfg);
		return 64;
	}
	cfg.database_override = database != NULL;
	char why[1024];
	if (db_path_check(cfg.database, why, sizeof(why))) {
		fprintf(stderr, "gemsoakd: cannot open the database: %s\n", why);
		config_free(&cfg);
		return GS_EXIT_CANTCREAT;
	}
	struct gs_device dev;
	if (open_device(&cfg, &dev, false)) {
		config_free(&cfg);
		return GS_EXIT_UNAVAILABLE;
	}
	if (config_check_caps(&cfg, dev.caps, dev.path, dev.driver, stderr)) {
		config_free(&cfg);
		return GS_EXIT_CONFIG;
	}
	if (db_path_create(cfg.database, why, sizeof(why))) {
		fprintf(stderr, "gemsoakd: cannot open the database: %s\n", why);
		config_free(&cfg);
		return GS_EXIT_CANTCREAT;
	}
	log_notice("device %s: driver %s, debugfs dri/%d", dev.path, dev.driver, dev.card_minor);
	int status = server_run(&cfg, &dev, &sopt);
	config_free(&cfg);
	return status;
}
