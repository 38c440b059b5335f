package auditlog_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/auditlog-go/auditlog/auditlog"
)

// NewContext copies the Request field by field (see newRequestCtx), so a
// field added to Request or User and not to that copy would be lost
// silently. Every field here gets a value of its own, found by reflection,
// so that such a field fails this test.
func TestNewContextKeepsEveryField(t *testing.T) {
	var r auditlog.Request
	n := 0
	var fill func(v reflect.Value, path string)
	fill = func(v reflect.Value, path string) {
		switch v.Kind() {
		case reflect.String:
			n++
			v.SetString(fmt.Sprintf("%s-%d", path, n))
		case reflect.Slice:
			if v.Type().Elem().Kind() != reflect.String {
				t.Fatalf("%s: a slice of %s; teach this test to fill it", path, v.Type().Elem())
			}
			n++
			v.Set(reflect.ValueOf([]string{fmt.Sprintf("%s-%d", path, n), "x"}))
		case reflect.Struct:
			for i := range v.NumField() {
				fill(v.Field(i), path+"."+v.Type().Field(i).Name)
			}
		default:
			t.Fatalf("%s: a %s; teach this test to fill it", path, v.Kind())
		}
	}
	fill(reflect.ValueOf(&r).Elem(), "Request")

	type parentKey struct{}
	parent := context.WithValue(context.Background(), parentKey{}, "parent")
	ctx := auditlog.NewContext(parent, r)
	got, ok := auditlog.FromContext(ctx)
	if !ok || !reflect.DeepEqual(got, r) {
		t.Errorf("FromContext = %+v, %v\nwant %+v", got, ok, r)
	}
	if ctx.Value(parentKey{}) != "parent" {
		t.Error("the parent's values are lost")
	}
	// The helpers build on NewContext: each changes its field only.
	r2, _ := auditlog.FromContext(auditlog.WithUserAgent(ctx, "curl"))
	want := r
	want.UserAgent = "curl"
	if !reflect.DeepEqual(r2, want) {
		t.Errorf("after WithUserAgent: %+v\nwant %+v", r2, want)
	}
	if _, ok := auditlog.FromContext(parent); ok {
		t.Error("the parent has a request context")
	}
	//lint:ignore SA1012 a nil parent is documented to mean Background
	nilParent := auditlog.NewContext(nil, r)
	if got, _ := auditlog.FromContext(nilParent); !reflect.DeepEqual(got, r) {
		t.Errorf("nil parent: %+v", got)
	}
}
