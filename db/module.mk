MIGRATIONS := $(sort $(wildcard db/migrations/*.sql))
$(B)/gen/migrations.c: $(MIGRATIONS) tools/embed-sql.sh
	@mkdir -p $(dir $@)
	tools/embed-sql.sh gs_migrations $@ $(MIGRATIONS)
GEN_SRCS += $(B)/gen/migrations.c
# The views, put in place at every opening (db/views.h).
VIEWS := $(sort $(wildcard db/views/*.sql))
$(B)/gen/views.c: $(VIEWS) tools/embed-sql.sh
	@mkdir -p $(dir $@)
	tools/embed-sql.sh gs_views $@ $(VIEWS)
GEN_SRCS += $(B)/gen/views.c
COMMON_SRCS += db/store.c db/store-write.c db/store-read.c db/views.c db/db-path.c db/origins.c
CHECK_SCRIPTS += tests/integration/store-ownership.sh
CHECK_SCRIPTS += tests/integration/model-store-refused.sh
CHECK_SCRIPTS += tests/integration/database-path.sh
