package extract

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

// routerActions are neutron's router actions (PUT /routers/{id}/<name>)
// and their names here: the path's own, made kebab-case.
var routerActions = map[string]string{
	"add_router_interface":    "add-router-interface",
	"remove_router_interface": "remove-router-interface",
}

// ClassifyNeutron reads a neutron API request on networks, subnets, ports,
// routers, floating IPs, security groups and their rules:
//
//	POST   /v2.0/{collection}                               create
//	PUT    /v2.0/{collection}/{id}                          update
//	DELETE /v2.0/{collection}/{id}                          delete
//	PUT    /v2.0/routers/{id}/add_router_interface          add-router-interface
//	PUT    /v2.0/routers/{id}/remove_router_interface       remove-router-interface
//
// with or without the ".json" suffix old clients add. The path's own name
// of a router action (add_router_interface) is kept as Request.APIAction.
// The id of a created resource is not in its access line and stays empty.
func ClassifyNeutron(method, path string) (Request, bool) {
	coll, tail, ok := apiPath(path) // a mount point (/networking/v2.0/…) dropped
	if !ok {
		return Request{}, false
	}
	typ, ok := neutronTypes[coll]
	if !ok {
		return Request{}, false
	}
	r := apiRequest(typ, tail)
	switch {
	case r.crud(method, tail, "PUT"):
	case len(tail) == 2 && method == "PUT" && typ == "router" && routerActions[tail[1]] != "":
		r.Action, r.APIAction = routerActions[tail[1]], tail[1]
	default:
		return Request{}, false
	}
	return r, true
}
