module github.com/auditlog-go/auditlog/bench

go 1.26.0

replace github.com/auditlog-go/auditlog => ../

require (
	github.com/auditlog-go/auditlog v0.0.0-00010101000000-000000000000
	github.com/rs/zerolog v1.35.1
	github.com/spf13/pflag v1.1.0
	go.uber.org/zap v1.28.0
)

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/mattn/go-colorable v0.1.14 // indirect
	github.com/mattn/go-isatty v0.0.20 // indirect
	github.com/santhosh-tekuri/jsonschema/v6 v6.0.3 // indirect
	go.opentelemetry.io/otel v1.47.0 // indirect
	go.opentelemetry.io/otel/trace v1.47.0 // indirect
	go.uber.org/multierr v1.10.0 // indirect
	golang.org/x/sys v0.29.0 // indirect
	golang.org/x/text v0.14.0 // indirect
)
