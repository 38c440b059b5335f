package events

// What the benchmarks' peers need to build the store's own tables with
// the raw drivers.
var (
	SQLiteSchema = sqliteSchema
	SQLiteURI    = sqliteURI
	SQLiteCreate = sqliteCreate
	PGSchema     = pgSchema
	InsertCols   = insertCols
)

// SetPgCopyMin sets the batch size from which the PostgreSQL store COPYs
// into a staging table, and returns the old one.
func SetPgCopyMin(n int) int {
	old := pgCopyMin
	pgCopyMin = n
	return old
}
