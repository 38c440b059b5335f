package logexpand_test

import (
	"fmt"
	"os"

	"github.com/auditlog-go/auditlog/tools/logexpand"
)

// An audit line with a request body logged as a string, a stack trace and
// a token another writer left in clear.
const line = `{"attrs":{"body":"{\"server\": {\"name\": \"vm1\"}}","x_auth_token":"gAAAA"},"exception":{"stacktrace":"main.main()\n\tmain.go:12\n"},"level":"ERROR","user":{"roles":["admin","member"]}}`

func ExampleExpander_Append() {
	x, _ := logexpand.New(logexpand.Options{})
	os.Stdout.Write(x.Append(nil, []byte("api.log:12:"), []byte(line)))
	// Output:
	// api.log:12: {
	//   attrs:
	//     body: (json)
	//       server:
	//         name: "vm1"
	//     x_auth_token: "[REDACTED]"
	//   exception:
	//     stacktrace: |
	//       main.main()
	//       	main.go:12
	//   level: "ERROR"
	//   user:
	//     roles: ["admin", "member"]
	// }
}

// A text line of oslo.log passes through, followed by the dict it holds.
func ExampleExpander_Append_text() {
	x, _ := logexpand.New(logexpand.Options{})
	text := `2022-02-04 10:50:42.786 362847 DEBUG oslo_messaging [-] message: {'result': {'service': u'conductor'}, 'failure': None}`
	os.Stdout.Write(x.Append(nil, nil, []byte(text)))
	// Output:
	// 2022-02-04 10:50:42.786 362847 DEBUG oslo_messaging [-] message: {'result': {'service': u'conductor'}, 'failure': None}
	//   > message (python):
	//     failure: null
	//     result:
	//       service: "conductor"
}

func ExampleOptions_flatten() {
	x, _ := logexpand.New(logexpand.Options{Flatten: true, Keys: []string{"attrs.body", "level"}})
	os.Stdout.Write(x.Append(nil, nil, []byte(line)))
	// Output:
	// json = {}
	// json.attrs = {}
	// json.attrs.body = "{\"server\": {\"name\": \"vm1\"}}"
	// json.attrs.body<json> = {}
	// json.attrs.body<json>.server = {}
	// json.attrs.body<json>.server.name = "vm1"
	// json.level = "ERROR"
}

func ExampleUnflatten() {
	flat := "api.log:7:json = {}\napi.log:7:json.b = [1]\napi.log:7:json.a[\"odd key\"] = \"x\"\nnot a statement\n"
	fmt.Print(string(logexpand.Unflatten([]byte(flat))))
	// Output:
	// api.log:7:{"a":{"odd key":"x"},"b":[1]}
	// not a statement
}

func ExampleOptions_depth() {
	x, _ := logexpand.New(logexpand.Options{Depth: 1})
	os.Stdout.Write(x.Append(nil, nil, []byte(line)))
	// Output:
	// {
	//   attrs: {"body":"{\"server\": {\"name\": \"vm1\"}}","x_auth_token":"[REDACTED]"}
	//   exception: {"stacktrace":"main.main()\n\tmain.go:12\n"}
	//   level: "ERROR"
	//   user: {"roles":["admin","member"]}
	// }
}
