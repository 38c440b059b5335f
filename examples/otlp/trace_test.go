package main

import (
	"context"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/auditlog/auditlogtest"
)

// With a real OpenTelemetry SDK installed, every line logged inside a span
// carries that span's trace and span ids. (Without an SDK the ids come from
// a remote span context; the auditlog package tests that case.)
func TestLinesCarryTheActiveSpanWithSDK(t *testing.T) {
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample()))
	defer tp.Shutdown(context.Background())
	rec := auditlogtest.NewRecorder(t)
	logger := auditlog.New(rec, &auditlog.Options{Service: "traced"})

	ctx, span := tp.Tracer("test").Start(context.Background(), "outer")
	logger.InfoContext(ctx, "inside outer")
	ctx2, child := tp.Tracer("test").Start(ctx, "inner")
	logger.InfoContext(ctx2, "inside inner")
	child.End()
	span.End()
	logger.Info("outside any span")

	maps := rec.Maps()
	if len(maps) != 3 {
		t.Fatalf("%d lines", len(maps))
	}
	check := func(m map[string]any, traceID, spanID string) {
		t.Helper()
		c, _ := m["context"].(map[string]any)
		if c["trace_id"] != traceID || c["span_id"] != spanID {
			t.Errorf("context = %v, want trace %s span %s", c, traceID, spanID)
		}
	}
	check(maps[0], span.SpanContext().TraceID().String(), span.SpanContext().SpanID().String())
	check(maps[1], child.SpanContext().TraceID().String(), child.SpanContext().SpanID().String())
	if _, ok := maps[2]["context"]; ok {
		t.Errorf("a line outside any span has a context: %v", maps[2])
	}
}
