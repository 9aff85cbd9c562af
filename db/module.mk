MIGRATIONS := $(sort $(wildcard db/migrations/*.sql))
$(B)/gen/migrations.c: $(MIGRATIONS) tools/embed-sql.sh
	@mkdir -p $(dir $@)
	tools/embed-sql.sh gs_migrations $@ $(MIGRATIONS)
GEN_SRCS += $(B)/gen/migrations.c
COMMON_SRCS += db/store.c db/db-path.c
CHECK_SCRIPTS += tests/integration/store-ownership.sh
CHECK_SCRIPTS += tests/integration/database-path.sh
