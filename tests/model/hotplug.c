/* The driver unbound and bound again, as tests make the device vanish
 * under the daemon. drm_dev_unplug() marks the device unplugged: every
 * ioctl on a file already open returns ENODEV, the /dev/dri node and the
 * debugfs dri/N directory go away, so new opens fail. A rebind probes a
 * fresh device: opens work and debugfs is back, while the files of the
 * old one stay dead until closed. Called with M.lock held. */
#include "tests/model/model.h"

void model_unplug(const char *debugfs_dir)
{
	if (M.unplugged)
		return;
	M.unplugged = true;
	for (struct m_file *f = M.files; f; f = f->next)
		f->unplugged = true;
	debugfs_remove_device(debugfs_dir);
}

void model_replug(const char *debugfs_dir)
{
	if (!M.unplugged)
		return;
	M.unplugged = false;
	debugfs_add_device(debugfs_dir);
}
