package api

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/cache"
)

// openAPI is the OpenAPI 3.1 document of the API, written by hand. The
// API's tests check every response they receive against it (see
// internal/api/openapitest), and that it names every route of Routes.
//
//go:embed openapi.json
var openAPI []byte

// OpenAPI returns the OpenAPI 3.1 document of the API, as embedded: its
// servers are relative ("/"). The caller owns the returned slice.
func OpenAPI() []byte { return bytes.Clone(openAPI) }

// openAPIEntry returns the document as GET /api/v1/openapi.json answers
// it: with the site's public address as its server when base is not "",
// with an ETag.
func openAPIEntry(base string) (*cache.Entry, error) {
	doc := openAPI
	if base != "" {
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(openAPI, &fields); err != nil {
			return nil, fmt.Errorf("api: read the OpenAPI document: %w", err)
		}
		servers, err := json.Marshal([]map[string]string{{"url": base}})
		if err != nil {
			return nil, fmt.Errorf("api: OpenAPI servers: %w", err)
		}
		fields["servers"] = servers
		if doc, err = json.Marshal(fields); err != nil {
			return nil, fmt.Errorf("api: write the OpenAPI document: %w", err)
		}
	}
	return cache.NewEntry(http.StatusOK, "application/json; charset=utf-8", "no-cache", doc), nil
}

// OpenAPIDocument answers GET /api/v1/openapi.json: the OpenAPI document,
// 304 to a client that has it already (If-None-Match).
func (a *API) OpenAPIDocument(w http.ResponseWriter, r *http.Request) {
	e, err := a.openAPI()
	if err != nil {
		a.fail(w, r, chatpic.Internal(err))
		return
	}
	e.Serve(w, r)
}
