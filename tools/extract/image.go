package extract

// ClassifyGlance reads a glance API request (v1 and v2):
//
//	POST   /v1/images, /v2/images               create
//	PUT    /v2/images/{id}/file                 upload
//	PUT    /v2/images/{id}/stage                stage
//	POST   /v2/images/{id}/import               import
//	PATCH  /v2/images/{id}, PUT /v1/images/{id} update
//	DELETE /v1/images/{id}, /v2/images/{id}     delete
//	POST   /v2/images/{id}/actions/deactivate   deactivate (and reactivate)
//	PUT    /v2/images/{id}/tags/{tag}           add-tag
//	DELETE /v2/images/{id}/tags/{tag}           remove-tag
//	POST   /v2/images/{id}/members              add-member
//	PUT    /v2/images/{id}/members/{member}     update-member
//	DELETE /v2/images/{id}/members/{member}     remove-member
//
// The image id of a create is not in its access line and stays empty.
func ClassifyGlance(method, path string) (Request, bool) {
	coll, tail, ok := apiPath(path)
	if !ok || coll != "images" {
		return Request{}, false
	}
	r := apiRequest("image", tail)
	switch {
	case r.crud(method, tail, "PATCH", "PUT"):
	case len(tail) == 2 && method == "PUT" && tail[1] == "file":
		r.Action = "upload"
	case len(tail) == 2 && method == "PUT" && tail[1] == "stage":
		r.Action = "stage"
	case len(tail) == 2 && method == "POST" && tail[1] == "import":
		r.Action = "import"
	case len(tail) == 3 && method == "POST" && tail[1] == "actions" &&
		(tail[2] == "deactivate" || tail[2] == "reactivate"):
		r.Action = tail[2]
	case len(tail) == 3 && tail[1] == "tags" && method == "PUT":
		r.Action = "add-tag"
	case len(tail) == 3 && tail[1] == "tags" && method == "DELETE":
		r.Action = "remove-tag"
	case len(tail) == 2 && tail[1] == "members" && method == "POST":
		r.Action = "add-member"
	case len(tail) == 3 && tail[1] == "members" && method == "PUT":
		r.Action = "update-member"
	case len(tail) == 3 && tail[1] == "members" && method == "DELETE":
		r.Action = "remove-member"
	default:
		return Request{}, false
	}
	return r, true
}
