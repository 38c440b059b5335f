// Package events keeps audit events and answers questions about them: the
// store behind log-serve. An event is one line — one of our audit lines, an
// oslo.log JSON or text record, a log-extract lifecycle record — kept byte
// for byte, with the columns queries filter on read out of it.
//
// Two stores implement [Store]: SQLite, embedded, the default (one file,
// WAL, one writer), and PostgreSQL for shared use (daily range partitions
// on time, a BRIN index on time, purge by dropping whole partitions). Both
// pass the same conformance suite.
//
// Identity and order. An event's ID is derived from its content, so a line
// ingested twice is stored once, and the same line gets the same ID on any
// server, before and after a restart. IDs are opaque strings. Lists are
// ordered by (Time, ID) and paged with keyset cursors (a [Cursor] names the
// last event of a page), never offsets, so a page costs the same however
// deep it is. Each stored event also gets Seq, a number that only grows in
// the order events were stored: the live stream replays "what was stored
// after this point" by it.
package events

import (
	"context"
	"errors"
	"slices"
	"time"
)

// Event is one stored line and the columns read out of it. Empty strings
// and zero values mean the line does not say.
type Event struct {
	ID  string // content ID: see [ContentID]
	Seq int64  // store order, set by the store on insert; 0 before

	Time            time.Time // UTC, to the microsecond
	Level           string    // DEBUG, INFO, WARNING, ERROR, CRITICAL
	Kind            string    // log, request, rpc, db, exception, lifecycle
	Service         string
	UserID          string
	UserName        string
	Project         string
	Action          string
	TargetType      string
	TargetID        string
	RequestID       string
	GlobalRequestID string
	Outcome         string // success, failure, unknown
	Status          int    // HTTP status or gRPC code; meaningful only when HasStatus
	HasStatus       bool
	DurationMS      float64 // meaningful only when HasDuration
	HasDuration     bool
	Message         string // for the text search (q) and lists

	// Format says what Raw is: FormatAudit (our line), FormatOsloJSON,
	// FormatOsloText.
	Format string
	// Raw is the line as it came, without its final newline (for a text
	// record: its lines joined by "\n"). It is returned byte for byte.
	Raw []byte
}

// Formats of Event.Raw.
const (
	FormatAudit    = "audit"     // one of our JSON lines (schema/)
	FormatOsloJSON = "oslo-json" // oslo.log's JSONFormatter
	FormatOsloText = "oslo-text" // oslo.log's text format, continuation lines included
)

// Levels returns the levels in order; MinLevel filters compare by this
// order. It is a copy: changing it changes nothing here.
func Levels() []string { return slices.Clone(levels) }

var levels = []string{"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}

// Fields returns the names a [Filter] and [Store.Values] accept, as the
// API and the other tools spell them. "user" matches the user's ID or
// name; "request_id" matches the request ID or the global request ID. It
// is a copy.
func Fields() []string { return slices.Clone(fields) }

var fields = []string{
	"level", "kind", "service", "user", "user_id", "user_name", "project", "action",
	"target_type", "target_id", "request_id", "global_request_id", "outcome", "status", "format",
}

// Filter keeps events whose Field equals one of Values (or, with Not, none
// of them). Several filters all hold.
type Filter struct {
	Field  string
	Values []string
	Not    bool
}

// Scope is who is asking: All for an admin, else the projects whose events
// the caller may see (an event with no project is an admin's only). A zero
// Scope sees nothing, so a forgotten scope leaks nothing.
type Scope struct {
	All      bool
	Projects []string
}

// Query selects and orders events for [Store.List].
type Query struct {
	Scope    Scope
	Filters  []Filter
	Since    time.Time // inclusive; zero means no bound
	Until    time.Time // exclusive; zero means no bound
	MinLevel string    // "" means every level
	Text     string    // substring of Message, case-insensitive; "" means any
	After    Cursor    // zero: from the start (in the order asked for)
	Limit    int       // 1..MaxLimit; 0 means DefaultLimit
	Desc     bool      // newest first
}

// Page sizes.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)

// Cursor is a position in the (Time, ID) order: the last event of a page.
// Its string form is opaque to clients (see [Cursor.String], [ParseCursor]).
type Cursor struct {
	Time time.Time
	ID   string
}

// Page is one page of a list. Next is the cursor of its last event when
// more may follow, zero otherwise.
type Page struct {
	Events []Event
	Next   Cursor
}

// Result says what an insert did.
type Result struct {
	Inserted   int // new events, now stored
	Duplicates int // events already stored (same ID), left as they were
}

// ValueCount is one distinct value of a field and how many events have it.
type ValueCount struct {
	Value string
	Count int64
}

// Purge says what [Store.Purge] removes: events older than Before, except
// those matching any of Keep (each a set of filters that all hold).
type Purge struct {
	Before time.Time
	Keep   [][]Filter
	DryRun bool // count, remove nothing
}

// PurgeResult says what a purge removed (or would have).
type PurgeResult struct {
	Removed    int64
	Kept       int64    // older than Before but kept by Keep
	Partitions []string // partitions dropped whole (PostgreSQL)
	Oldest     time.Time
	Newest     time.Time // of the removed events
}

// Offset is how far a followed file has been read and stored.
type Offset struct {
	Path     string
	Inode    uint64
	Offset   int64
	Line     int64
	Checksum string // of the file's first KiB, to tell rotation from growth
}

// Errors a store returns; test with errors.Is.
var (
	// ErrNotFound: no such event, or not one the scope may see.
	ErrNotFound = errors.New("events: not found")
	// ErrUnavailable: the database cannot be reached now; the caller may
	// retry (the API answers 503).
	ErrUnavailable = errors.New("events: store unavailable")
)

// Store keeps events. Implementations are safe for concurrent use.
//
// Insert stores a batch atomically and durably: when it returns nil every
// event of the batch is committed (it survives kill -9) and has its Seq
// set; when it returns an error none is stored. An event whose ID is
// already stored counts as a duplicate and is left as it was (its Seq in
// evs stays 0; so does that of a second copy within one batch). An event
// with an empty ID gets ContentID(Raw); a Level outside [Levels] or an ID
// not shaped like one is refused (ErrInvalid, naming the event's index).
// Errors that mean the database is away wrap ErrUnavailable.
//
// Get, List and Values see only what q.Scope allows; an event outside the
// scope is ErrNotFound, exactly as a missing one (no existence leak).
// List orders by (Time, ID), ascending unless q.Desc, starting after
// q.After; a cursor with an ID but no time (Tacker's index) starts after
// that event, looked up within q.Scope (ErrNotFound when it is not
// there). A Limit of 0 or less is DefaultLimit, one above MaxLimit is
// MaxLimit; so are Since's and Values' limits.
//
// Bad input — an unknown field, a filter without values, a status that
// is not a number, a level not in [Levels] — is an error wrapping
// ErrInvalid that names it, before any query (see [CheckQuery]).
type Store interface {
	Insert(ctx context.Context, evs []Event) (Result, error)
	Get(ctx context.Context, id string, scope Scope) (Event, error)
	List(ctx context.Context, q Query) (Page, error)
	// Since returns up to limit events stored after seq (Seq > seq), in
	// Seq order, that q's scope and filters allow (q.After, q.Limit and
	// q.Desc are ignored): the stream's replay.
	Since(ctx context.Context, seq int64, q Query, limit int) ([]Event, error)
	// Values returns the distinct values of field among the events q
	// selects (q.After and q.Limit ignored), most frequent first (ties in
	// the values' order), at most limit of them. Empty values (the line
	// does not say) are left out; "user" counts by the user's ID, or the
	// name when the line has no ID; "request_id" by the request ID alone.
	Values(ctx context.Context, field string, q Query, limit int) ([]ValueCount, error)
	Purge(ctx context.Context, p Purge) (PurgeResult, error)
	// Offset returns the saved position of a followed file (ok false when
	// none); SaveOffset saves it. A follower saves after the Insert that
	// covers the lines, so a restart re-reads at most a batch, whose
	// duplicates the content IDs absorb.
	Offset(ctx context.Context, path string) (o Offset, ok bool, err error)
	SaveOffset(ctx context.Context, o Offset) error
	Close() error
}

// ErrInvalid is wrapped by every error that blames the caller's input — an
// unknown filter field, a malformed value, a level not in [Levels] — so a
// server can answer 400 with the error's text, which names what is wrong.
var ErrInvalid = errors.New("events: invalid input")

// LevelRank is the place of level in [Levels] (0 for DEBUG … 4 for
// CRITICAL), the order MinLevel compares by; ok is false for a level that
// is not one of them. The empty level ranks below DEBUG (-1).
func LevelRank(level string) (rank int, ok bool) {
	if level == "" {
		return -1, true
	}
	for i, l := range levels {
		if l == level {
			return i, true
		}
	}
	return 0, false
}
