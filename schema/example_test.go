package schema_test

import (
	"fmt"

	"github.com/auditlog-go/auditlog/schema"
)

func ExampleValidate() {
	good := `{"kind":"log","level":"INFO","message":"server started","schema_version":1,"service":"compute","timestamp":"2026-03-14T09:26:53.589793Z"}` + "\n"
	fmt.Println(schema.Validate([]byte(good)))

	unsorted := `{"level":"INFO","kind":"log","message":"m","schema_version":1,"service":"api"}` + "\n"
	fmt.Println(schema.Validate([]byte(unsorted)))

	badTraceID := `{"context":{"trace_id":"abc"},"kind":"log","level":"INFO","message":"m","schema_version":1,"service":"api"}` + "\n"
	fmt.Println(schema.Validate([]byte(badTraceID)))
	// Output:
	// <nil>
	// schema: invalid audit line: at top level: key "kind" comes after "level": keys must be in byte-wise sorted order (line: {"level":"INFO","kind":"log","message":"m","schema_version":1,"service":"api"})
	// schema: invalid audit line: does not match the schema: at /context/trace_id: 'abc' does not match pattern '^[0-9a-f]{32}$' (line: {"context":{"trace_id":"abc"},"kind":"log","level":"INFO","message":"m","schema_…)
}
