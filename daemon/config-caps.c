/* The checks of a loaded config against this machine: the workloads'
 * needs against the capabilities the device backend probed
 * (device/device.c), and whether workers can become [daemon] user. Apart
 * from the config reader, which never opens a device nor forks. */
#include <stdio.h>
#include <string.h>

#include "daemon/config-caps.h"
#include "device/device.h"

/* A workload's second device (`device2 =`) must be there and import
 * PRIME buffers from the first, the one thing it is used for. */
static int check_second_device(const struct wl_config *w, const char *device, FILE *errs)
{
	const char *path = wl_get_str_opt(w, "device2");
	char err[512], found[256];
	if (!*path)
		return 0;
	if (strcmp(path, "auto") == 0 ? device_find_importer(device, found, sizeof(found), err, sizeof(err)) == 0
				      : device_probe_cross_import(device, path, err, sizeof(err)) == 0)
		return 0;
	fprintf(errs, "%s:%d: workload %s (%s) needs a second device with %s: %s\n", w->file, w->line,
		w->name, w->type->name, device_cap_name(GS_CAP_PRIME_IMPORT), err);
	return 1;
}

int config_check_user(const struct gs_config *cfg, FILE *errs)
{
	int r = privilege_probe(&cfg->user);
	if (r == 0)
		return 0;
	fprintf(errs, "%s:%d: user = %s: a worker cannot become %s here: %s (the shipped gemsoak.service "
		"allows no change of user: it keeps CAP_SYS_ADMIN only, without CAP_SETUID and CAP_SETGID, and "
		"filters @privileged); remove user = under that unit\n", cfg->path, cfg->user_line,
		cfg->user.name, cfg->user.name, strerror(-r));
	return 1;
}

int config_check_caps(const struct gs_config *cfg, unsigned caps, const char *device,
		      const char *driver, FILE *errs)
{
	int problems = 0;
	for (size_t i = 0; i < cfg->nworkloads; i++) {
		const struct wl_config *w = &cfg->workloads[i];
		problems += check_second_device(w, device, errs);
		unsigned missing = wl_caps_needed(w) & ~caps;
		for (unsigned bit = 1; missing; bit <<= 1) {
			if (!(missing & bit))
				continue;
			missing &= ~bit;
			fprintf(errs, "%s:%d: workload %s (%s) needs %s, which %s (driver %s) does not offer\n",
				w->file, w->line, w->name, w->type->name, device_cap_name(bit), device, driver);
			problems++;
		}
	}
	return problems;
}
