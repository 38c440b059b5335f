package extract

import "github.com/auditlog-go/auditlog/internal/novaapi"

// neutronTypes maps neutron's collections to the resource types of the
// records.
var neutronTypes = map[string]string{
	"networks":             "network",
	"subnets":              "subnet",
	"ports":                "port",
	"routers":              "router",
	"floatingips":          "floatingip",
	"security-groups":      "security_group",
	"security-group-rules": "security_group_rule",
}

// ClassifyNeutron reads a neutron API request on networks, subnets, ports,
// routers, floating IPs, security groups and their rules:
//
//	POST   /v2.0/{collection}                               create
//	PUT    /v2.0/{collection}/{id}                          update
//	DELETE /v2.0/{collection}/{id}                          delete
//	PUT    /v2.0/routers/{id}/add_router_interface          add_router_interface
//	PUT    /v2.0/routers/{id}/remove_router_interface       remove_router_interface
//
// with or without the ".json" suffix old clients add. The id of a created
// resource is not in its access line and stays empty.
func ClassifyNeutron(method, path string) (Request, bool) {
	segs := pathSegments(path)
	for len(segs) > 0 && !novaapi.IsVersion(segs[0]) { // a mount point (/networking/v2.0/…)
		segs = segs[1:]
	}
	if len(segs) < 2 {
		return Request{}, false
	}
	typ, ok := neutronTypes[segs[1]]
	if !ok {
		return Request{}, false
	}
	r := Request{kind: kindAPI, ResourceType: typ}
	tail := segs[2:]
	if len(tail) > 0 {
		r.Resource = tail[0]
	}
	switch {
	case len(tail) == 0 && method == "POST":
		r.kind, r.Action = kindCreate, "create"
	case len(tail) == 1 && method == "PUT":
		r.Action = "update"
	case len(tail) == 1 && method == "DELETE":
		r.Action = "delete"
	case len(tail) == 2 && method == "PUT" && typ == "router" &&
		(tail[1] == "add_router_interface" || tail[1] == "remove_router_interface"):
		r.Action = tail[1]
	default:
		return Request{}, false
	}
	return r, true
}
