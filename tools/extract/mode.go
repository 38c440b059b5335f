package extract

import (
	"fmt"
	"strings"

	"github.com/auditlog-go/auditlog/tools/extract/action"
)

// mode is an [action.Mode] with what the extractor does in it: which
// loggers' INFO lines are its API's access lines, and how a request's
// method and path name an action. One value per mode, so that adding one
// is one entry here and one in package action.
type mode struct {
	action.Mode
	access   func(logger string) bool
	classify func(method, path string) (Request, bool)
}

var modes = []mode{{
	Mode: action.VM,
	// nova.osapi_compute.wsgi.server until Pike, nova.api.openstack.requestlog
	// under uwsgi; not the EC2 or metadata APIs.
	access: func(logger string) bool {
		return strings.HasPrefix(logger, "nova.") &&
			(strings.HasSuffix(logger, "wsgi.server") || strings.HasSuffix(logger, ".requestlog")) &&
			!strings.Contains(logger, "ec2") && !strings.Contains(logger, "metadata")
	},
	classify: ClassifyVM,
}, {
	Mode: action.Glance,
	access: func(logger string) bool {
		return logger == "eventlet.wsgi.server" || strings.HasPrefix(logger, "glance.") && strings.Contains(logger, "wsgi")
	},
	classify: createsFromAPI(ClassifyGlance),
}, {
	Mode: action.Neutron,
	access: func(logger string) bool {
		return logger == "neutron.wsgi" || logger == "eventlet.wsgi.server" ||
			strings.HasPrefix(logger, "neutron.") && strings.Contains(logger, "wsgi")
	},
	classify: createsFromAPI(ClassifyNeutron),
}}

// createsFromAPI makes a classifier's creates actions the access line says
// all of: in glance and neutron no later line gives the new resource's id.
func createsFromAPI(classify func(method, path string) (Request, bool)) func(string, string) (Request, bool) {
	return func(method, path string) (Request, bool) {
		r, ok := classify(method, path)
		if r.kind == kindCreate {
			r.kind = kindAPI
		}
		return r, ok
	}
}

// modeOf returns the mode of a name ("" is VM).
func modeOf(name string) (*mode, error) {
	if name == "" {
		name = action.ModeVM
	}
	for i := range modes {
		if modes[i].Name == name {
			return &modes[i], nil
		}
	}
	var names []string
	for _, m := range modes {
		names = append(names, m.Name)
	}
	return nil, fmt.Errorf("extract: unknown mode %q (want %s)", name, strings.Join(names, ", "))
}
