package events

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
)

// Open opens (and creates, or brings up to date) the store dsn names:
//
//   - postgres://… or postgresql://… (pgx's URL form): PostgreSQL, in the
//     schema first on the connection's search_path (set it with
//     ?search_path=name to keep several stores in one database);
//   - sqlite:PATH, or a plain PATH: an SQLite file, created when missing
//     (its folder must exist).
//
// ctx bounds the opening only, not the store's life.
func Open(ctx context.Context, dsn string) (Store, error) {
	s := strings.TrimSpace(dsn)
	lower := strings.ToLower(s)
	switch {
	case s == "":
		return nil, invalid("empty database: give a file (events.db), sqlite:FILE or postgres://…")
	case strings.HasPrefix(lower, "postgres://"), strings.HasPrefix(lower, "postgresql://"):
		return openPostgres(ctx, s)
	case strings.HasPrefix(lower, "sqlite:"):
		s = strings.TrimPrefix(s[len("sqlite:"):], "//")
	case strings.Contains(s, "://"):
		return nil, invalid("database %q: unknown scheme (postgres://, postgresql://, sqlite:, or a file)", RedactDSN(s))
	}
	switch {
	case s == "":
		return nil, invalid("sqlite: the file is missing (sqlite:events.db)")
	case s == ":memory:" || strings.HasPrefix(s, "file::memory:"):
		return nil, invalid("an in-memory SQLite database would be lost at exit: give a file")
	case strings.ContainsAny(s, "?#"):
		return nil, invalid("the SQLite path %q may not hold '?' or '#'", s)
	}
	return openSQLite(ctx, filepath.Clean(s))
}

// RedactDSN hides the password of a URL-shaped DSN (scheme://user:pass@…
// becomes scheme://user:xxxxx@…), for messages and logs; anything else is
// returned as it is.
func RedactDSN(s string) string {
	i := strings.Index(s, "://")
	if i < 0 {
		return s
	}
	rest := s[i+3:]
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return s
	}
	user, _, ok := strings.Cut(rest[:at], ":")
	if !ok {
		return s
	}
	return s[:i+3] + user + ":xxxxx" + rest[at:]
}

// errClosed is what a closed store answers.
var errClosed = fmt.Errorf("%w: the store is closed", ErrUnavailable)
