-- gemsoak database, schema version 5: the file says whose it is.
-- application_id 0x476d536b ("GmSk") in the SQLite header lets gemsoak
-- tell its own databases from another application's before it changes
-- anything (databases created before this version are recognised by
-- their tables and get the id here).
PRAGMA application_id = 1198347115;
