// Package store is where log-extract's records go: a database table that
// re-runs never duplicate, or a stream of audit lines.
//
// # Databases
//
// [Open] takes a DSN for PostgreSQL, MySQL or MariaDB, or SQLite (a file, no
// server: the embedded default), creates the table if it is missing, and
// returns a [Store] that writes each batch of actions in one transaction.
// Rows are keyed by (resource, action, ts), ts to the microsecond (see
// [action.Action.Key]), and inserted with each database's insert-ignore:
//
//	PostgreSQL     INSERT … ON CONFLICT (resource, action, ts) DO NOTHING
//	MySQL/MariaDB  INSERT … ON DUPLICATE KEY UPDATE id = id
//	SQLite         INSERT OR IGNORE …
//
// so running log-extract again over the same logs adds nothing. MySQL's
// INSERT IGNORE is not used: it ignores far more than duplicate keys (a
// value too long is cut, a bad value replaced), so a broken batch would
// look stored. The table is emptied only when [Options.Truncate] asks.
//
// The table has a column per field of [action.Action] but APIAction: ts
// (UTC, microsecond precision), action (ours: live-migrate, not
// os-migrateLive; the evidence points at the line with the API's own
// name), resource_type, resource (empty when no line named
// it), user_id, project_id, request_id, service, method, path, status (NULL
// when unknown), outcome, duration_ms (NULL when the log had no timing),
// matched_by, evidence (a JSON array of {"source","line","role"}) and
// created_at, with an id primary key. Besides the unique key there are
// indexes on ts and on request_id; the unique key serves queries by
// resource.
//
// A table of that name made by another tool is refused at Open rather than
// written into: one without these columns (the seed script's has instance
// where this has resource), or one without the unique key (Open checks by
// inserting a probe row twice in a transaction it rolls back).
//
// On MySQL, ON DUPLICATE KEY UPDATE on a table with two unique keys (id and
// the key) is flagged unsafe for statement-based replication; row-based
// replication, the default since MySQL 5.7.7 and MariaDB 10.2.4, is not
// affected. Ignored inserts still take an AUTO_INCREMENT value, so ids have
// gaps.
//
// A batch that fails is rolled back whole; the [*BatchError] names the
// batch and where its first and last actions came from, so the caller can
// say where to resume. Writing a batch again is always safe.
//
// # Audit lines
//
// [NewJSONLines] writes one line per action in the audit schema (package
// auditlog, checked by schema.Validate), for --dry-run and for piping into
// log-format:
//
//	{"action":"pause","attrs":{"evidence":[{"line":2,"role":"access","source":"nova-api.log"},…],
//	 "matched_by":"request_id","mode":"vm"},"context":{"request_id":"req-…"},"duration_ms":187,
//	 "kind":"lifecycle","level":"INFO","message":"pause server 3f2a… (matched by request id)",
//	 "outcome":"success","rpc":{"method":"POST","route":"/v2.1/…/servers/3f2a…/action","system":"http"},
//	 "schema_version":1,"seq":1,"service":"nova-api","status":202,
//	 "target":{"id":"3f2a…","type":"server"},"timestamp":"…","user":{"id":"…","project_id":"…"}}
//
// The timestamp is the action's time (the API access line's), the service
// the API service that took the request, and the level WARNING for an action
// nothing resolved. attrs.api_action holds the API's own name for the
// action when it differs from ours ("action":"live-migrate" with
// "api_action":"os-migrateLive").
package store
