// Package openapitest checks, in tests, that the JSON API answers as its
// OpenAPI document (api.OpenAPI) says: Handler and Transport wrap what the
// tests already use, so every response a test receives from a path under
// /api/ is checked, and a route or a field that drifts from the document
// fails the test that saw it. It is imported by tests only: the validator
// it uses is no part of the chatpic binary.
package openapitest

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"
	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	liberrors "github.com/pb33f/libopenapi-validator/errors"
	"github.com/pb33f/libopenapi-validator/helpers"
	"github.com/pb33f/libopenapi-validator/paths"
	"github.com/pb33f/libopenapi-validator/schema_validation"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"

	"github.com/chatpic/chatpic/internal/api"
)

// spec is the parsed document and its validator, made once and shared:
// both are read-only once built, and safe for concurrent use.
type spec struct {
	model     *v3.Document
	validator validator.Validator
	errorBody func([]byte) []*liberrors.ValidationError
}

var load = sync.OnceValues(func() (*spec, error) {
	doc, err := libopenapi.NewDocument(api.OpenAPI())
	if err != nil {
		return nil, fmt.Errorf("openapitest: parse the document: %w", err)
	}
	m, err := doc.BuildV3Model()
	if err != nil {
		return nil, fmt.Errorf("openapitest: build the document's model: %w", err)
	}
	v, errs := validator.NewValidator(doc, config.WithFormatAssertions())
	if len(errs) > 0 {
		return nil, fmt.Errorf("openapitest: make the validator: %w", errors.Join(errs...))
	}
	proxy := m.Model.Components.Schemas.GetOrZero("Error")
	if proxy == nil {
		return nil, errors.New("openapitest: the document has no Error schema")
	}
	errorSchema := proxy.Schema()
	sv := schema_validation.NewSchemaValidator(config.WithFormatAssertions())
	return &spec{model: &m.Model, validator: v, errorBody: func(b []byte) []*liberrors.ValidationError {
		_, errs := sv.ValidateSchemaBytes(errorSchema, b)
		return errs
	}}, nil
})

// Document returns the problems the validator finds in the document
// itself, as an OpenAPI 3.1 document (checked against the specification's
// own schema); none when it is valid.
func Document() []error {
	s, err := load()
	if err != nil {
		return []error{err}
	}
	if _, errs := s.validator.ValidateDocument(); len(errs) > 0 {
		return validationErrors(errs)
	}
	return nil
}

// Operations returns every operation of the document as a ServeMux
// pattern, such as "GET /api/v1/channels/{slug}".
func Operations() ([]string, error) {
	s, err := load()
	if err != nil {
		return nil, err
	}
	var out []string
	for path, item := range s.model.Paths.PathItems.FromOldest() {
		for method := range item.GetOperations().FromOldest() {
			out = append(out, strings.ToUpper(method)+" "+path)
		}
	}
	return out, nil
}

// Check returns what is wrong with a response to req, given its status,
// header and body (as sent: compressed if its Content-Encoding says so),
// by the document; nil if nothing is, or if req's path is not under
// /api/. The response's status must be one the operation documents, with
// the documented content type, headers and body. An event stream's body is not read: pass it empty. A
// request that matches no operation must get the catch-all's answer, 404
// not_found. Of the answer to a HEAD request only the status is checked,
// against the GET's.
func Check(req *http.Request, status int, header http.Header, body []byte) error {
	if !strings.HasPrefix(req.URL.Path, "/api/") {
		return nil
	}
	s, err := load()
	if err != nil {
		return err
	}
	body, err = decoded(header, body)
	if err != nil {
		return err
	}
	if req.Method == http.MethodHead {
		return s.head(req, status)
	}
	op := s.operation(req)
	if op == nil {
		return s.notFound(status, header, body)
	}
	res := &http.Response{StatusCode: status, Header: header, Body: io.NopCloser(bytes.NewReader(body)), Request: req}
	if _, errs := s.validator.ValidateHttpResponse(req, res); len(errs) > 0 {
		return fmt.Errorf("%s %s answered %d: %w", req.Method, req.URL.Path, status, errors.Join(validationErrors(errs)...))
	}
	if r := op.Responses.Codes.GetOrZero(strconv.Itoa(status)); r != nil && (r.Content == nil || r.Content.Len() == 0) && len(body) > 0 {
		return fmt.Errorf("%s %s answered %d with a body, which the document does not have: %.200s", req.Method, req.URL.Path, status, body)
	}
	return nil
}

// operation returns the operation req is for, or nil.
func (s *spec) operation(req *http.Request) *v3.Operation {
	item, errs, _ := paths.FindPath(req, s.model, config.NewValidationOptions())
	if item == nil || len(errs) > 0 {
		return nil
	}
	return helpers.ExtractOperation(req, item)
}

// head checks the status of the answer to a HEAD request, which is the
// GET's without a body.
func (s *spec) head(req *http.Request, status int) error {
	get := req.Clone(req.Context())
	get.Method = http.MethodGet
	op := s.operation(get)
	switch {
	case op == nil && status != http.StatusNotFound:
		return fmt.Errorf("HEAD %s answered %d, but the document has no GET there", req.URL.Path, status)
	case op != nil && op.Responses.Codes.GetOrZero(strconv.Itoa(status)) == nil:
		return fmt.Errorf("HEAD %s answered %d, which GET does not document", req.URL.Path, status)
	}
	return nil
}

// notFound checks the answer to a request that matches no operation.
func (s *spec) notFound(status int, header http.Header, body []byte) error {
	mt, _, _ := mime.ParseMediaType(header.Get("Content-Type"))
	if status != http.StatusNotFound || mt != "application/json" {
		return fmt.Errorf("a request that matches no operation of the document answered %d %s: a missing operation, or a wrong method in the test? %.200s",
			status, header.Get("Content-Type"), body)
	}
	if errs := s.errorBody(body); len(errs) > 0 {
		return fmt.Errorf("the 404 to a request that matches no operation is not an Error: %w", errors.Join(validationErrors(errs)...))
	}
	if !bytes.Contains(body, []byte(`"kind":"not_found"`)) {
		return fmt.Errorf("the 404 to a request that matches no operation is not not_found: %s", body)
	}
	return nil
}

// decoded returns body without its Content-Encoding.
func decoded(header http.Header, body []byte) ([]byte, error) {
	var r io.Reader
	switch enc := header.Get("Content-Encoding"); enc {
	case "":
		return body, nil
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return nil, fmt.Errorf("openapitest: a gzip body that does not decode: %w", err)
		}
		r = zr
	case "br":
		r = brotli.NewReader(bytes.NewReader(body))
	default:
		return nil, fmt.Errorf("openapitest: an unexpected Content-Encoding %q", enc)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("openapitest: a compressed body that does not decode: %w", err)
	}
	return b, nil
}

// validationErrors turns the validator's findings into errors that say
// where and what.
func validationErrors(errs []*liberrors.ValidationError) []error {
	var out []error
	for _, e := range errs {
		msg := e.Message
		if e.Reason != "" {
			msg += ": " + e.Reason
		}
		for _, f := range e.SchemaValidationErrors {
			where := f.FieldPath
			if where == "" {
				where = "$"
			}
			msg += fmt.Sprintf("\n\t%s: %s", where, f.Reason)
		}
		out = append(out, errors.New(msg))
	}
	return out
}
