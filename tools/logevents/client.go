// Package logevents is the client side of log-serve: an API client
// ([Client]) and the renderings the log-events command prints (a table
// through log-format's summary, the API's JSON, the raw lines).
package logevents

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Client talks to one log-serve. Its zero value is not usable: set URL.
type Client struct {
	// URL is the server's base URL, e.g. http://127.0.0.1:8780.
	URL string
	// Token is sent as "Authorization: Bearer <token>"; empty sends none.
	// It never appears in an error.
	Token string
	// HTTP is the client used; nil means one with a 30 s timeout.
	HTTP *http.Client
	// UserAgent names the caller in the server's audit lines.
	UserAgent string
}

// Event is one event as the API returns it: its columns (kept as the API
// sent them, for --output json) and its line, byte for byte.
type Event struct {
	ID     string
	Format string
	// Line is the stored line as it was ingested.
	Line []byte
	// JSON is the event object exactly as the server sent it.
	JSON json.RawMessage
}

// Page is one page of a list: its events and the cursor of the next page
// (empty when there is none).
type Page struct {
	Events []Event
	Next   string
}

// APIError is an answer other than success: its HTTP status and the
// server's message.
type APIError struct {
	Status  int
	Message string
}

func (e *APIError) Error() string {
	if e.Message == "" {
		return fmt.Sprintf("%d %s", e.Status, http.StatusText(e.Status))
	}
	return fmt.Sprintf("%d %s: %s", e.Status, http.StatusText(e.Status), e.Message)
}

// List asks GET /v1/events with the given query parameters (the API's
// names: user, project, action, since, limit…; see log-serve's README).
func (c *Client) List(ctx context.Context, q url.Values) (*Page, error) {
	var body struct {
		Events []json.RawMessage `json:"events"`
		Next   string            `json:"next"`
	}
	if err := c.get(ctx, "/v1/events", q, &body); err != nil {
		return nil, err
	}
	p := &Page{Next: body.Next, Events: make([]Event, 0, len(body.Events))}
	for i, raw := range body.Events {
		e, err := decodeEvent(raw)
		if err != nil {
			return nil, fmt.Errorf("event %d of the answer: %w", i+1, err)
		}
		p.Events = append(p.Events, e)
	}
	return p, nil
}

// Get asks GET /v1/events/{id}.
func (c *Client) Get(ctx context.Context, id string) (Event, error) {
	var raw json.RawMessage
	if err := c.get(ctx, "/v1/events/"+url.PathEscape(id), nil, &raw); err != nil {
		return Event{}, err
	}
	return decodeEvent(raw)
}

// Request asks GET /v1/requests/{id}: every event of one request, across
// services, in time order.
func (c *Client) Request(ctx context.Context, id string) ([]Event, error) {
	var body struct {
		Events []json.RawMessage `json:"events"`
	}
	if err := c.get(ctx, "/v1/requests/"+url.PathEscape(id), nil, &body); err != nil {
		return nil, err
	}
	out := make([]Event, 0, len(body.Events))
	for i, raw := range body.Events {
		e, err := decodeEvent(raw)
		if err != nil {
			return nil, fmt.Errorf("event %d of the answer: %w", i+1, err)
		}
		out = append(out, e)
	}
	return out, nil
}

// decodeEvent reads the parts of an event the client needs; the line is
// "line" (JSON embedded as it is, or a string for a text line) or
// "line_base64".
func decodeEvent(raw json.RawMessage) (Event, error) {
	var v struct {
		ID         string          `json:"id"`
		Format     string          `json:"format"`
		Line       json.RawMessage `json:"line"`
		LineBase64 string          `json:"line_base64"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return Event{}, err
	}
	e := Event{ID: v.ID, Format: v.Format, JSON: raw}
	switch {
	case len(v.Line) > 0 && v.Line[0] == '"':
		var s string
		if err := json.Unmarshal(v.Line, &s); err != nil {
			return Event{}, fmt.Errorf("line: %w", err)
		}
		e.Line = []byte(s)
	case len(v.Line) > 0:
		e.Line = v.Line // embedded as stored: the bytes are the line's
	case v.LineBase64 != "":
		b, err := base64.StdEncoding.DecodeString(v.LineBase64)
		if err != nil {
			return Event{}, fmt.Errorf("line_base64: %w", err)
		}
		e.Line = b
	}
	if e.ID == "" {
		return Event{}, errors.New("no id")
	}
	return e, nil
}

// get does one GET and decodes a JSON answer into out.
func (c *Client) get(ctx context.Context, path string, q url.Values, out any) error {
	u, err := c.endpoint(path, q)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	if c.UserAgent != "" {
		req.Header.Set("User-Agent", c.UserAgent)
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("cannot reach log-serve at %s: %w", c.URL, unwrapURL(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("reading the answer of %s: %w", c.URL, err)
	}
	if resp.StatusCode/100 != 2 {
		return &APIError{Status: resp.StatusCode, Message: errorMessage(body)}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(out); err != nil {
		return fmt.Errorf("the answer of %s is not the API's JSON: %w", c.URL, err)
	}
	return nil
}

func (c *Client) endpoint(path string, q url.Values) (string, error) {
	base, err := url.Parse(strings.TrimRight(c.URL, "/"))
	if err != nil || base.Scheme == "" || base.Host == "" {
		return "", fmt.Errorf("--url %q: not a server's URL (http://host:port)", c.URL)
	}
	if base.Scheme != "http" && base.Scheme != "https" {
		return "", fmt.Errorf("--url %q: the scheme must be http or https", c.URL)
	}
	u := base.String() + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u, nil
}

// errorMessage reads the server's JSON error ({"error": "…"}), or the
// start of whatever it sent.
func errorMessage(body []byte) string {
	var v struct {
		Error   string `json:"error"`
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &v) == nil {
		if v.Error != "" {
			return v.Error
		}
		if v.Message != "" {
			return v.Message
		}
	}
	s := strings.TrimSpace(string(body))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// unwrapURL drops url.Error's "Get "http://…": " prefix, which repeats the
// URL the message already names.
func unwrapURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
