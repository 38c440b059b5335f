package store

import (
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
)

// Dialects a DSN can name.
const (
	DialectPostgres = "postgres"
	DialectMySQL    = "mysql" // MySQL and MariaDB
	DialectSQLite   = "sqlite"
)

// Timeouts the store sets when the DSN sets none, so that a server that
// stops answering ends the run with an error instead of hanging it.
const (
	connectTimeout = 10 * time.Second
	ioTimeout      = 2 * time.Minute
)

// dsn is a parsed DSN: which database, and what each driver needs.
type dsn struct {
	dialect string
	shown   string // the DSN with its password masked, for messages
	secrets []string

	pg     *pgx.ConnConfig
	mysql  *mysql.Config
	sqlite string // the file's path
}

// masked stands for a password in every message.
const masked = "xxxxx"

// parseDSN reads the forms described at [Open]. Its errors never hold the
// password.
func parseDSN(s string) (*dsn, error) {
	d := &dsn{secrets: secretsOf(s)}
	d.shown = d.redact(s)
	if strings.TrimSpace(s) == "" {
		return nil, errors.New("store: empty DSN: give postgres://…, mysql://…, user:pass@tcp(host:3306)/db or sqlite:///file.db")
	}
	var err error
	switch scheme := schemeOf(s); {
	case scheme == "postgres" || scheme == "postgresql":
		err = d.parsePostgres(s)
	case scheme == "mysql" || scheme == "mariadb" ||
		strings.HasPrefix(scheme, "mysql+") || strings.HasPrefix(scheme, "mariadb+"):
		err = d.parseMySQLURL(s, scheme)
	case scheme == "sqlite" || strings.HasPrefix(scheme, "sqlite+"):
		err = d.parseSQLiteURL(s, scheme)
	case scheme != "":
		err = fmt.Errorf("unknown database %q in the scheme (postgres, postgresql, mysql, mysql+<driver>, mariadb, sqlite)", scheme)
	case strings.HasPrefix(s, "sqlite:"):
		err = d.setSQLite(strings.TrimPrefix(s, "sqlite:"))
	case looksLikeFile(s):
		err = d.setSQLite(s)
	case strings.Contains(s, "tcp(") || strings.Contains(s, "unix(") || strings.Contains(s, "/") && strings.Contains(s, "@"):
		err = d.parseMySQLNative(s)
	default:
		err = errors.New("cannot tell which database this is: give postgres://…, mysql://…, user:pass@tcp(host:3306)/db, sqlite:///file.db or a path ending in .db or .sqlite")
	}
	if err != nil {
		return nil, fmt.Errorf("store: DSN %q: %s", d.shown, d.redact(err.Error()))
	}
	return d, nil
}

// schemeOf returns the lower-cased scheme of a URL-shaped DSN ("" when s
// has no "scheme://").
func schemeOf(s string) string {
	i := strings.Index(s, "://")
	if i <= 0 {
		return ""
	}
	for _, c := range s[:i] {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.') {
			return ""
		}
	}
	return strings.ToLower(s[:i])
}

func looksLikeFile(s string) bool {
	if strings.Contains(s, "@") || strings.Contains(s, "(") {
		return false
	}
	switch strings.ToLower(filepath.Ext(s)) {
	case ".db", ".sqlite", ".sqlite3":
		return true
	}
	return false
}

// secretsOf finds the password in s by shape alone, so that it can be
// masked even in a DSN no parser accepts: the text between the first ':'
// and the last '@' of the user part, raw and unescaped.
func secretsOf(s string) []string {
	rest := s
	if i := strings.Index(s, "://"); i >= 0 {
		rest = s[i+3:]
	}
	// The user part ends at the last '@' before the address: before
	// "tcp(" in the native form, before the path's '/' in a URL. A
	// password may itself hold '@' or '/', so look for the last '@' that
	// is followed by something address-like, falling back to the last '@'.
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return nil
	}
	user := rest[:at]
	colon := strings.Index(user, ":")
	if colon < 0 {
		return nil
	}
	pw := user[colon+1:]
	if pw == "" {
		return nil
	}
	out := []string{pw}
	if u, err := url.PathUnescape(pw); err == nil && u != pw && u != "" {
		out = append(out, u)
	}
	if u, err := url.QueryUnescape(pw); err == nil && u != pw && u != "" {
		out = append(out, u)
	}
	return out
}

// redact masks every known form of the password in msg.
func (d *dsn) redact(msg string) string {
	for _, s := range d.secrets {
		msg = strings.ReplaceAll(msg, s, masked)
	}
	return msg
}

// userinfo splits a URL's user part. url.Parse is not used on the whole DSN
// because its errors quote the DSN, password and all.
func splitURL(s string) (user, pass, host, path, query string, err error) {
	rest := s[strings.Index(s, "://")+3:]
	if i := strings.Index(rest, "#"); i >= 0 {
		return "", "", "", "", "", errors.New("'#' outside the password: percent-encode it as %23")
	}
	if i := strings.LastIndex(rest, "@"); i >= 0 {
		ui := rest[:i]
		rest = rest[i+1:]
		user, pass, _ = strings.Cut(ui, ":")
		if user, err = url.PathUnescape(user); err != nil {
			return "", "", "", "", "", errors.New("the user name has a bad %-escape")
		}
		if pass, err = url.PathUnescape(pass); err != nil {
			return "", "", "", "", "", errors.New("the password has a bad %-escape")
		}
	}
	rest, query, _ = strings.Cut(rest, "?")
	host, path, _ = strings.Cut(rest, "/")
	if path, err = url.PathUnescape(path); err != nil {
		return "", "", "", "", "", errors.New("the database name has a bad %-escape")
	}
	return user, pass, host, path, query, nil
}

func (d *dsn) parsePostgres(s string) error {
	if _, _, _, _, q, err := splitURL(s); err != nil {
		return err
	} else if _, err := url.ParseQuery(q); err != nil {
		return errors.New("the query string (after '?') is malformed")
	}
	cfg, err := pgx.ParseConfig(s)
	if err != nil {
		// pgx quotes the DSN with the password masked; say what is
		// wrong without the quote.
		msg := err.Error()
		if i := strings.LastIndex(msg, ": "); i >= 0 {
			msg = msg[i+2:]
		}
		return errors.New(msg)
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = connectTimeout
	}
	if cfg.Password != "" {
		d.secrets = append(d.secrets, cfg.Password)
	}
	d.dialect, d.pg = DialectPostgres, cfg
	return nil
}

// sqlalchemyParams are the connection arguments of Python's MySQL drivers
// (pymysql, asyncmy, aiomysql, mysqlclient) with a Go equivalent; any other
// parameter goes to go-sql-driver/mysql as written.
var sqlalchemyParams = map[string]string{
	"connect_timeout": "timeout",
	"read_timeout":    "readTimeout",
	"write_timeout":   "writeTimeout",
}

func (d *dsn) parseMySQLURL(s, scheme string) error {
	user, pass, host, db, query, err := splitURL(s)
	if err != nil {
		return err
	}
	if pass != "" {
		d.secrets = append(d.secrets, pass)
	}
	if db == "" || strings.Contains(db, "/") {
		return fmt.Errorf("the database name is missing from the path (%s://user:pass@host:3306/DATABASE)", scheme)
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return errors.New("the query string (after '?') is malformed")
	}
	netw, addr := "tcp", "127.0.0.1:3306"
	if host != "" {
		h, port, err := net.SplitHostPort(host)
		if err != nil {
			// No port: the host alone (IPv6 in brackets).
			h, port = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"), "3306"
		}
		if n, err := strconv.Atoi(port); err != nil || n <= 0 || n > 65535 {
			return fmt.Errorf("the port %q is not a number from 1 to 65535", port)
		}
		if h == "" {
			h = "127.0.0.1"
		}
		addr = net.JoinHostPort(h, port)
	}
	params := url.Values{}
	for k, vs := range q {
		v := vs[len(vs)-1]
		switch {
		case k == "unix_socket":
			netw, addr = "unix", v
		case sqlalchemyParams[k] != "":
			if _, err := strconv.ParseFloat(v, 64); err == nil {
				v += "s" // Python's drivers count seconds
			}
			params.Set(sqlalchemyParams[k], v)
		default:
			params.Set(k, v)
		}
	}
	// Parse the address and the parameters through the driver, then add
	// the credentials, so that they never pass through a string the
	// driver might quote.
	native := netw + "(" + addr + ")/" + url.PathEscape(db)
	if len(params) > 0 {
		native += "?" + params.Encode()
	}
	cfg, err := parseNative(native)
	if err != nil {
		return err
	}
	cfg.User, cfg.Passwd = user, pass
	return d.setMySQL(cfg)
}

func (d *dsn) parseMySQLNative(s string) error {
	cfg, err := parseNative(s)
	if err != nil {
		return err
	}
	if cfg.Passwd != "" {
		d.secrets = append(d.secrets, cfg.Passwd)
	}
	return d.setMySQL(cfg)
}

// parseNative calls mysql.ParseDSN, which panics on the long-gone "strict"
// parameter.
func parseNative(s string) (cfg *mysql.Config, err error) {
	if _, q, ok := strings.Cut(s, "?"); ok {
		for kv := range strings.SplitSeq(q, "&") {
			if k, _, _ := strings.Cut(kv, "="); k == "strict" {
				return nil, errors.New(`the "strict" parameter is gone from go-sql-driver/mysql; set sql_mode on the server instead`)
			}
		}
	}
	defer func() {
		if r := recover(); r != nil {
			cfg, err = nil, fmt.Errorf("go-sql-driver/mysql rejects it: %v", r)
		}
	}()
	cfg, err = mysql.ParseDSN(s)
	if err != nil {
		return nil, fmt.Errorf("go-sql-driver/mysql rejects it: %w", err)
	}
	return cfg, nil
}

func (d *dsn) setMySQL(cfg *mysql.Config) error {
	if cfg.DBName == "" {
		return errors.New("the database name is missing (user:pass@tcp(host:3306)/DATABASE)")
	}
	// The store relies on these: times come back as time.Time and are
	// stored in UTC; RowsAffected counts inserted rows, not matched ones.
	cfg.ParseTime = true
	cfg.Loc = time.UTC
	cfg.ClientFoundRows = false
	// The driver would print what it sees of a broken connection to the
	// process's stderr; the store returns it as an error instead.
	cfg.Logger = log.New(io.Discard, "", 0)
	if cfg.Timeout == 0 {
		cfg.Timeout = connectTimeout
	}
	if cfg.ReadTimeout == 0 {
		cfg.ReadTimeout = ioTimeout
	}
	if cfg.WriteTimeout == 0 {
		cfg.WriteTimeout = ioTimeout
	}
	d.dialect, d.mysql = DialectMySQL, cfg
	return nil
}

// parseSQLiteURL reads SQLAlchemy's form: sqlite:///relative/file.db and
// sqlite:////absolute/file.db (the path is what follows the third slash).
func (d *dsn) parseSQLiteURL(s, scheme string) error {
	rest := s[len(scheme)+3:]
	if !strings.HasPrefix(rest, "/") {
		return errors.New("a file is expected after sqlite:/// (sqlite:///relative.db, sqlite:////absolute.db)")
	}
	p := rest[1:]
	if q := strings.IndexByte(p, '?'); q >= 0 {
		return errors.New("parameters after '?' are not supported for SQLite")
	}
	u, err := url.PathUnescape(p)
	if err != nil {
		return errors.New("the path has a bad %-escape")
	}
	return d.setSQLite(u)
}

func (d *dsn) setSQLite(p string) error {
	switch {
	case p == "":
		return errors.New("the SQLite file is missing (sqlite:///file.db)")
	case p == ":memory:" || strings.HasPrefix(p, "file::memory:"):
		return errors.New("an in-memory SQLite database would be lost at exit: give a file")
	case strings.ContainsAny(p, "?#"):
		return errors.New("the SQLite path may not hold '?' or '#'")
	}
	d.dialect, d.sqlite = DialectSQLite, filepath.Clean(p)
	return nil
}

// sqliteDSN is the modernc.org/sqlite DSN of the file p: a URI, so the path
// is escaped. busy_timeout lets a reader of the same file delay us rather
// than fail us; WAL lets it read while we write; synchronous=FULL makes a
// committed batch survive power loss, which the state file's offsets
// assume; _txlock=immediate takes the write lock at BEGIN, so a batch never
// fails half-way for want of it.
func sqliteDSN(p string) string {
	u := url.URL{Scheme: "file", Path: p}
	if !filepath.IsAbs(p) {
		u = url.URL{Scheme: "file", Opaque: (&url.URL{Path: p}).EscapedPath()}
	}
	return u.String() + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_txlock=immediate"
}
