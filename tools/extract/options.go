package extract

import (
	"time"

	"github.com/auditlog-go/auditlog/tools/extract/action"
	"github.com/auditlog-go/auditlog/tools/input"
)

// Options configures an [Extractor] and [Run]. The zero value extracts VM
// actions other than deletes, reads times as UTC and waits 60 seconds of
// log time for evidence.
type Options struct {
	// Mode is the name of an [action.Mode]: action.ModeVM (the default
	// when empty), action.ModeGlance or action.ModeNeutron.
	Mode string

	// IncludeDelete extracts delete requests too. It is off in the zero
	// value, as in the seed script; the log-extract command turns it on by
	// default, since an audit trail without deletes is odd.
	IncludeDelete bool

	// Window is how long, in log time, an action waits for the lines that
	// resolve it (compute-side lines, lifecycle events) after its access
	// line, and how long the lines of a request are kept for an access
	// line still to come. 0 means [DefaultWindow].
	Window time.Duration

	// Location is the time zone of the text logs' timestamps, which carry
	// none; nil means UTC. (Our JSON lines carry their zone.)
	Location *time.Location

	// MaxMalformed is how many malformed lines [Stats] lists with their
	// positions; the count goes on past it. 0 means 100.
	MaxMalformed int

	// Incremental makes the end of input a pause rather than the end: the
	// actions still inside their window are not emitted, so that the next
	// run, reading on from [Stats.Checkpoints], emits them with all their
	// evidence. Without it the end of input emits everything, unresolved
	// if nothing came.
	Incremental bool

	// Now, when set, is the wall clock an incremental run compares the end
	// of its input with: the actions whose window has passed by Now are
	// emitted at the end even though no later line came, since none will
	// (a log that has gone quiet, a rotated file). Without it, an
	// incremental run holds its last window's actions until a later line
	// arrives. Log times are read in Location, so that zone must be right
	// for this to hold.
	Now func() time.Time

	// Start gives, per name, where [Run] starts reading: the checkpoint a
	// previous incremental run saved. Names not in it are read from the
	// start. The caller checks first that the file is still the one the
	// checkpoint was taken on (same inode, not shorter).
	Start map[string]input.Position

	// Input is passed to the line readers (standard input for "-", error
	// reporting, line length limit). Its Follow is not supported.
	Input input.Options
}

// DefaultWindow is the evidence window of the zero [Options], the seed's
// --derive-window-sec default.
const DefaultWindow = 60 * time.Second

func (o Options) withDefaults() Options {
	if o.Mode == "" {
		o.Mode = action.ModeVM
	}
	if o.Window <= 0 {
		o.Window = DefaultWindow
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.MaxMalformed <= 0 {
		o.MaxMalformed = 100
	}
	return o
}
