package middleware

import "strings"

// Skipped reports whether name — an HTTP request's path, a gRPC call's
// full method — is one of patterns, the list a middleware writes no line
// for. A pattern is matched exactly, or, when it ends in "/", as a prefix:
// "/healthz" is that path alone, "/grpc.health.v1.Health/" the whole
// service. One rule for every transport, so that a skip list means the
// same in each (see the package documentation's Options).
func Skipped(patterns []string, name string) bool {
	for _, p := range patterns {
		if p == name || strings.HasSuffix(p, "/") && strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}
