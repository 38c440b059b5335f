package main

import (
	"context"
	"encoding/json"
	"hash/fnv"
	"strconv"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/status"
)

// The scheduler is the demo's gRPC service: the API asks it where a new
// server should run. It is defined by hand, with a JSON codec, so the demo
// needs no generated protobuf code.

type scheduleRequest struct {
	Name   string `json:"name"`
	Flavor string `json:"flavor"`
}

type scheduleReply struct {
	Host string `json:"host"`
}

// jsonCodec marshals messages as JSON. It is registered under its own
// content subtype, so other services on the same server keep protobuf.
type jsonCodec struct{}

func (jsonCodec) Name() string                       { return "json" }
func (jsonCodec) Marshal(v any) ([]byte, error)      { return json.Marshal(v) }
func (jsonCodec) Unmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }

func init() { encoding.RegisterCodec(jsonCodec{}) }

const scheduleMethod = "/demo.Scheduler/Schedule"

type scheduler struct{}

// schedule picks a host for the request, and refuses flavors nobody has.
func (scheduler) schedule(_ context.Context, req *scheduleRequest) (*scheduleReply, error) {
	if req.Flavor == "m1.huge" {
		return nil, status.Errorf(codes.ResourceExhausted, "no host has room for flavor %s", req.Flavor)
	}
	h := fnv.New32a()
	h.Write([]byte(req.Name))
	return &scheduleReply{Host: "compute-" + strconv.Itoa(int(h.Sum32()%3)+1)}, nil
}

var schedulerDesc = grpc.ServiceDesc{
	ServiceName: "demo.Scheduler",
	HandlerType: (*any)(nil),
	Methods: []grpc.MethodDesc{{
		MethodName: "Schedule",
		Handler: func(srv any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
			in := new(scheduleRequest)
			if err := dec(in); err != nil {
				return nil, err
			}
			call := func(ctx context.Context, req any) (any, error) {
				return srv.(scheduler).schedule(ctx, req.(*scheduleRequest))
			}
			if interceptor == nil {
				return call(ctx, in)
			}
			return interceptor(ctx, in, &grpc.UnaryServerInfo{Server: srv, FullMethod: scheduleMethod}, call)
		},
	}},
}

// schedulerClient calls the scheduler over a connection that carries the
// audit interceptors.
type schedulerClient struct{ conn *grpc.ClientConn }

func (c schedulerClient) Schedule(ctx context.Context, req *scheduleRequest) (*scheduleReply, error) {
	out := new(scheduleReply)
	err := c.conn.Invoke(ctx, scheduleMethod, req, out, grpc.CallContentSubtype("json"))
	return out, err
}
