# kernel/: the fix series (see kernel/README.md).
KERNEL_SRCS := kernel/series.c kernel/detect.c kernel/git.c kernel/apply.c kernel/probe.c
CLI_SRCS += $(KERNEL_SRCS) cli/kernel-open.c cli/cmd-kernel-check.c cli/cmd-kernel-apply.c

# Their unit tests link them on top of the shared objects.
$(B)/tests/test-kernel-series: $(B)/obj/kernel/series.o
$(B)/tests/test-kernel-detect: $(B)/obj/kernel/detect.o $(B)/obj/kernel/git.o $(B)/obj/kernel/probe.o

CHECK_SCRIPTS += tests/integration/kernel-fixes.sh
CHECK_SCRIPTS += tests/integration/kernel-debian-source.sh
CHECK_SCRIPTS += tests/integration/vm-kernel-behaviour.sh
CHECK_SCRIPTS += tests/integration/vm-seeds.sh
CHECK_SCRIPTS += tests/integration/vm-leak-guard.sh

# The series and its patch files, read by `gemsoak kernel` at run time.
install: install-kernel-series
install-kernel-series:
	install -d $(DESTDIR)$(DATADIR)/kernel/patches
	install -m 644 kernel/series $(DESTDIR)$(DATADIR)/kernel/series
	install -m 644 kernel/patches/*.patch $(DESTDIR)$(DATADIR)/kernel/patches/
.PHONY: install-kernel-series
