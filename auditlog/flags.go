package auditlog

import "strconv"

// Switches turns the machine-generated lines of the Nova audit-logging spec
// on and off: one line per served request, per outbound RPC, per database
// call, and per uncaught exception. A handler drops lines of a kind that is
// switched off; middleware asks first, so that it does not even time the call.
// Plain log lines and lifecycle records are always written.
type Switches struct {
	Request   bool // --[no-]request-logging: lines of KindRequest
	RPC       bool // --[no-]rpc-performance-logging: lines of KindRPC
	DB        bool // --[no-]db-performance-logging: lines of KindDB
	Exception bool // --[no-]exception-logging: lines of KindException
}

// AllSwitches returns Switches with every kind on: the default.
func AllSwitches() Switches { return Switches{Request: true, RPC: true, DB: true, Exception: true} }

// Allows reports whether lines of kind k are switched on.
func (s *Switches) Allows(k Kind) bool {
	switch k {
	case KindRequest:
		return s.Request
	case KindRPC:
		return s.RPC
	case KindDB:
		return s.DB
	case KindException:
		return s.Exception
	}
	return true
}

func (s *Switches) allows(k Kind) bool { return k == KindLog || s.Allows(k) }

// FlagSet is what RegisterFlags needs of a set of command-line flags. The
// standard library's *flag.FlagSet has it, and so has spf13/pflag's: the
// logger does not make its users pull in a command-line library.
type FlagSet interface {
	BoolVar(p *bool, name string, value bool, usage string)
	BoolFunc(name, usage string, fn func(string) error)
}

// RegisterFlags adds the four switches to fs, each as a pair:
// --request-logging and --no-request-logging, --rpc-performance-logging,
// --db-performance-logging and --exception-logging likewise. Each flag's
// default is the switch's current value; the last flag given wins. When fs
// can hide a flag (pflag's MarkHidden), the --no- forms are hidden from
// the usage text, which mentions them.
func (s *Switches) RegisterFlags(fs FlagSet) {
	pairs := []struct {
		name, usage string
		p           *bool
	}{
		{"request-logging", "write one audit line per served request", &s.Request},
		{"rpc-performance-logging", "write one timed audit line per outbound RPC", &s.RPC},
		{"db-performance-logging", "write one timed audit line per database call", &s.DB},
		{"exception-logging", "write an audit line for each uncaught exception", &s.Exception},
	}
	for _, p := range pairs {
		fs.BoolVar(p.p, p.name, *p.p, p.usage+" (--no-"+p.name+" to turn off)")
		fs.BoolFunc("no-"+p.name, "turn off --"+p.name, func(v string) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return err
			}
			*p.p = !b
			return nil
		})
		if h, ok := fs.(interface{ MarkHidden(string) error }); ok {
			_ = h.MarkHidden("no-" + p.name)
		}
	}
}
