# Installation (make install / uninstall, PREFIX and DESTDIR) and the
# systemd service, tested under real systemd in a Debian VM.
SYSTEMDUNITDIR ?= $(shell $(PKG_CONFIG) --variable=systemdsystemunitdir systemd 2>/dev/null || echo /lib/systemd/system)
GS_MANPAGES    = $(wildcard docs/man/*.[1-8])
GS_SQL         = $(wildcard db/migrations/*.sql db/views/*.sql db/queries/*.sql)
# node_exporter's textfile collector directory (Debian's prometheus-node-exporter)
PROM_TEXTFILE_DIR ?= /var/lib/prometheus/node-exporter
GS_PROMETHEUS  = prometheus/gemsoak-rules.yml prometheus/gemsoak-dashboard.json

install: all
	install -D -m 0755 $(B)/gemsoakd $(DESTDIR)$(SBINDIR)/gemsoakd
	install -D -m 0755 $(B)/gemsoak $(DESTDIR)$(BINDIR)/gemsoak
	install -d -m 0755 $(DESTDIR)$(SYSTEMDUNITDIR)
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' systemd/gemsoak.service.in \
		> $(DESTDIR)$(SYSTEMDUNITDIR)/gemsoak.service
	sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' -e 's|@PROM_TEXTFILE_DIR@|$(PROM_TEXTFILE_DIR)|g' \
		systemd/gemsoak-export.service.in > $(DESTDIR)$(SYSTEMDUNITDIR)/gemsoak-export.service
	install -m 0644 systemd/gemsoak-export.timer $(DESTDIR)$(SYSTEMDUNITDIR)/gemsoak-export.timer
	set -e; for f in $(GS_PROMETHEUS); do install -D -m 0644 $$f $(DESTDIR)$(DATADIR)/$$f; done
	set -e; for m in $(GS_MANPAGES); do \
		install -D -m 0644 $$m $(DESTDIR)$(MANDIR)/man$${m##*.}/$${m##*/}; done
	set -e; for f in $(GS_SQL); do install -D -m 0644 $$f $(DESTDIR)$(DATADIR)/$$f; done
	# The configuration is the admin's once installed: never overwritten.
	install -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/gemsoak/conf.d
	[ -e $(DESTDIR)$(SYSCONFDIR)/gemsoak/gemsoak.conf ] || \
		install -m 0644 systemd/gemsoak.conf $(DESTDIR)$(SYSCONFDIR)/gemsoak/gemsoak.conf
	set -e; for f in systemd/conf.d/*.conf; do t=$(DESTDIR)$(SYSCONFDIR)/gemsoak/conf.d/$${f##*/}; \
		[ -e $$t ] || install -m 0644 $$f $$t; done

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/gemsoakd $(DESTDIR)$(BINDIR)/gemsoak \
		$(DESTDIR)$(SYSTEMDUNITDIR)/gemsoak.service $(DESTDIR)$(SYSCONFDIR)/gemsoak/gemsoak.conf \
		$(DESTDIR)$(SYSTEMDUNITDIR)/gemsoak-export.service $(DESTDIR)$(SYSTEMDUNITDIR)/gemsoak-export.timer \
		$(patsubst systemd/conf.d/%,$(DESTDIR)$(SYSCONFDIR)/gemsoak/conf.d/%,$(wildcard systemd/conf.d/*.conf))
	set -e; for m in $(GS_MANPAGES); do rm -f $(DESTDIR)$(MANDIR)/man$${m##*.}/$${m##*/}; done
	rm -rf $(DESTDIR)$(DATADIR)
	-rmdir $(DESTDIR)$(SYSCONFDIR)/gemsoak/conf.d $(DESTDIR)$(SYSCONFDIR)/gemsoak 2>/dev/null

CHECK_SCRIPTS += tests/integration/install.sh
CHECK_SCRIPTS += tests/integration/vm-systemd.sh
# The Prometheus textfile, rules, dashboard and export timer, against a
# real node_exporter and Prometheus on loopback.
CHECK_SCRIPTS += tests/integration/prometheus.sh
