package request

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/chatpic/chatpic"
)

// MaxBody bounds the body of every request that carries fields rather than
// a file, in bytes: JSON and URL-encoded forms alike. The largest such body
// is a comment of chatpic.MaxCommentLen characters, which is 24 KB when
// every character is an emoji written as JSON escapes (12 bytes each) or
// percent-encoded in a form (also 12).
const MaxBody = 32_000

// Decode reads the fields of a request body into v, a pointer to one of
// this package's request structs (Comment, Vote, Report, ...): as JSON
// when the Content-Type is application/json, as a URL-encoded form when it
// is application/x-www-form-urlencoded or absent. Both are decoded
// strictly: a field v does not have is refused with a message naming it, so
// is a field given twice, a value of the wrong type ("ban": 1, or "ban=yes"
// in a form), JSON null for a field that is not optional, and anything after
// the JSON object. Text must be UTF-8 without NUL bytes, whether the bytes
// come raw, percent-encoded or as JSON escapes; a JSON escape of half a
// UTF-16 surrogate pair, which encoding/json would quietly turn into U+FFFD,
// is refused too. Errors: KindTooLarge (a body, announced or sent, over
// MaxBody), KindUnsupported (another Content-Type), KindInvalid (the rest).
func Decode(w http.ResponseWriter, r *http.Request, v any) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if r.Header.Get("Content-Type") == "" {
		mt, err = "application/x-www-form-urlencoded", nil
	}
	switch {
	case err != nil:
		return unsupportedBody()
	case mt == "application/json":
		body, err := readBody(w, r)
		if err != nil {
			return err
		}
		return decodeJSON(body, v)
	case mt == "application/x-www-form-urlencoded":
		form, err := readForm(w, r)
		if err != nil {
			return err
		}
		return decodeForm(form, v, true)
	}
	return unsupportedBody()
}

// Form reads a URL-encoded form, as a page's form sends it, into v (see
// Decode), and leaves the checked form in r.PostForm for the fields a page
// keeps for itself, such as "back". Unlike Decode it lets fields that v
// does not have pass: pages may name their buttons and add fields of
// their own. Errors: KindTooLarge, KindInvalid.
func Form(w http.ResponseWriter, r *http.Request, v any) error {
	if err := ParseForm(w, r); err != nil {
		return err
	}
	return Values(r.PostForm, v)
}

// Values sets the fields of v, a request struct, from a form already read
// and checked by ParseForm, as Form does. Errors: KindInvalid (a value of
// the wrong type, a field given twice).
func Values(form url.Values, v any) error {
	return decodeForm(form, v, false)
}

// ParseForm reads a URL-encoded form body of at most MaxBody bytes into
// r.PostForm (and r.Form), after checking that every name and value is
// UTF-8 text without NUL bytes. A body of another type leaves the form
// empty, as http.Request.ParseForm does. Errors: KindTooLarge,
// KindInvalid.
func ParseForm(w http.ResponseWriter, r *http.Request) error {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	form := url.Values{}
	if mt == "application/x-www-form-urlencoded" {
		var err error
		if form, err = readForm(w, r); err != nil {
			return err
		}
	}
	r.PostForm = form
	r.Form = nil // rebuilt by ParseForm from the URL and PostForm
	if err := r.ParseForm(); err != nil {
		return chatpic.Errorf(chatpic.KindInvalid, "the address's query is not valid URL-encoding")
	}
	return nil
}

// LimitBody bounds r's body to max bytes, as http.MaxBytesReader does, and
// makes going past the limit a KindTooLarge error whose message names the
// limit. A body that announces more than max in its Content-Length is
// refused at once, before a byte of it is read.
func LimitBody(w http.ResponseWriter, r *http.Request, max int64) (io.Reader, error) {
	if r.ContentLength > max {
		return nil, bodyTooLarge(max)
	}
	return tooLargeReader{http.MaxBytesReader(w, r.Body, max), max}, nil
}

// tooLargeReader turns the error of a http.MaxBytesReader into KindTooLarge.
type tooLargeReader struct {
	r   io.Reader
	max int64
}

func (t tooLargeReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		err = bodyTooLarge(t.max)
	}
	return n, err
}

func bodyTooLarge(max int64) error {
	return chatpic.Errorf(chatpic.KindTooLarge, "the request body is limited to %s", chatpic.FormatSize(max))
}

func unsupportedBody() error {
	return chatpic.Errorf(chatpic.KindUnsupported,
		"send the fields as JSON (Content-Type: application/json) or as a URL-encoded form")
}

// readBody reads the whole body, at most MaxBody bytes of it.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	lr, err := LimitBody(w, r, MaxBody)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(lr)
	if err != nil {
		if chatpic.ErrorKind(err) == chatpic.KindTooLarge {
			return nil, err
		}
		return nil, chatpic.Errorf(chatpic.KindInvalid, "the request body was cut off")
	}
	return body, nil
}

// readForm reads a URL-encoded body and checks its text.
func readForm(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	body, err := readBody(w, r)
	if err != nil {
		return nil, err
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, chatpic.Errorf(chatpic.KindInvalid, "the form is not valid URL-encoding")
	}
	for name, values := range form {
		for _, s := range append([]string{name}, values...) {
			if !utf8.ValidString(s) {
				return nil, chatpic.Errorf(chatpic.KindInvalid, "the form is not valid UTF-8 text")
			}
			if strings.IndexByte(s, 0) >= 0 {
				return nil, chatpic.Errorf(chatpic.KindInvalid, "the form holds a NUL byte, which is not text")
			}
		}
	}
	return form, nil
}

// decodeJSON decodes body, a JSON object, into the struct v points to,
// one member at a time, so that each is checked against v's fields by
// its exact name.
func decodeJSON(body []byte, v any) error {
	if !utf8.Valid(body) {
		return chatpic.Errorf(chatpic.KindInvalid, "the request body is not valid UTF-8 text")
	}
	if bytes.IndexByte(body, 0) >= 0 {
		return chatpic.Errorf(chatpic.KindInvalid, "the request body holds a NUL byte, which is not text")
	}
	fields, err := fieldsOf(v)
	if err != nil {
		return err
	}
	notJSON := chatpic.Errorf(chatpic.KindInvalid, "the request body is not a JSON object")
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return notJSON
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return notJSON
		}
		name, _ := tok.(string)
		f, ok := fields.byJSON[name]
		if !ok {
			return unknownField(name, fields.jsonNames())
		}
		if seen[name] {
			return chatpic.Errorf(chatpic.KindInvalid, "field %q is given twice", name)
		}
		seen[name] = true
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return notJSON
		}
		if err := f.setJSON(raw); err != nil {
			return err
		}
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return notJSON
	}
	if _, err := dec.Token(); err != io.EOF {
		return chatpic.Errorf(chatpic.KindInvalid, "the request body goes on after its JSON object")
	}
	return nil
}

// decodeForm sets the fields of the struct v points to from form. With
// strict, a name v has no field for is refused.
func decodeForm(form url.Values, v any, strict bool) error {
	fields, err := fieldsOf(v)
	if err != nil {
		return err
	}
	if strict {
		for _, name := range slices.Sorted(maps.Keys(form)) {
			if _, ok := fields.byForm[name]; ok {
				continue
			}
			if strings.HasPrefix(name, "{") {
				return chatpic.Errorf(chatpic.KindInvalid,
					"the body looks like JSON but came as a form: send it with Content-Type: application/json")
			}
			return unknownField(name, fields.formNames())
		}
	}
	for name, f := range fields.byForm {
		values, ok := form[name]
		if !ok {
			continue
		}
		if len(values) > 1 {
			return chatpic.Errorf(chatpic.KindInvalid, "field %q is given more than once", name)
		}
		if err := f.setText(name, values[0]); err != nil {
			return err
		}
	}
	return nil
}

func unknownField(name string, known []string) error {
	quoted := make([]string, len(known))
	for i, k := range known {
		quoted[i] = strconv.Quote(k)
	}
	if len(quoted) == 0 {
		return chatpic.Errorf(chatpic.KindInvalid, "unknown field %q: this request takes no fields", name)
	}
	return chatpic.Errorf(chatpic.KindInvalid, "unknown field %q: this request takes only %s", name, strings.Join(quoted, ", "))
}

// bodyFields are the fields of a request struct by the name they have
// in JSON and in a form.
type bodyFields struct {
	byJSON, byForm map[string]bodyField
}

func (s bodyFields) jsonNames() []string { return slices.Sorted(maps.Keys(s.byJSON)) }
func (s bodyFields) formNames() []string { return slices.Sorted(maps.Keys(s.byForm)) }

// bodyField is one settable field of a request struct.
type bodyField struct {
	name string // in JSON
	v    reflect.Value
}

// fieldsOf lists the fields of the struct v points to, embedded structs'
// included, by their json tag (and their form tag, which overrides it
// for forms). A request struct has fields of type string, bool, int and
// *int only.
func fieldsOf(v any) (bodyFields, error) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		return bodyFields{}, chatpic.Internal(fmt.Errorf("request: decoding into %T, not a pointer to a struct", v))
	}
	s := bodyFields{byJSON: map[string]bodyField{}, byForm: map[string]bodyField{}}
	return s, s.add(rv.Elem())
}

func (s bodyFields) add(sv reflect.Value) error {
	st := sv.Type()
	for i := range st.NumField() {
		sf := st.Field(i)
		if sf.Anonymous && sf.Type.Kind() == reflect.Struct {
			if err := s.add(sv.Field(i)); err != nil {
				return err
			}
			continue
		}
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if name == "" || name == "-" || !sf.IsExported() {
			continue
		}
		switch t := sf.Type; {
		case t.Kind() == reflect.String, t.Kind() == reflect.Bool, t.Kind() == reflect.Int,
			t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Int:
		default:
			return chatpic.Internal(fmt.Errorf("request: field %s of %s has type %s, which requests do not take", sf.Name, st, t))
		}
		f := bodyField{name: name, v: sv.Field(i)}
		s.byJSON[name] = f
		if form := sf.Tag.Get("form"); form != "" {
			name = form
		}
		s.byForm[name] = f
	}
	return nil
}

// wrongType refuses a value of the wrong type for the field, or with null,
// a null for a field that needs a value; each case is a sentence of its
// own, so that it translates.
func (f bodyField) wrongType(null bool) error {
	switch k := f.v.Kind(); {
	case k == reflect.String && null:
		return chatpic.Errorf(chatpic.KindInvalid, "field %q must be a string, not null", f.name)
	case k == reflect.String:
		return chatpic.Errorf(chatpic.KindInvalid, "field %q must be a string", f.name)
	case k == reflect.Bool && null:
		return chatpic.Errorf(chatpic.KindInvalid, "field %q must be true or false, not null", f.name)
	case k == reflect.Bool:
		return chatpic.Errorf(chatpic.KindInvalid, "field %q must be true or false", f.name)
	case null:
		return chatpic.Errorf(chatpic.KindInvalid, "field %q must be a whole number, not null", f.name)
	}
	return chatpic.Errorf(chatpic.KindInvalid, "field %q must be a whole number", f.name)
}

// setJSON sets the field from its JSON value.
func (f bodyField) setJSON(raw json.RawMessage) error {
	if string(raw) == "null" {
		if f.v.Kind() == reflect.Pointer {
			f.v.SetZero()
			return nil
		}
		return f.wrongType(true)
	}
	if err := json.Unmarshal(raw, f.v.Addr().Interface()); err != nil {
		return f.wrongType(false)
	}
	if f.v.Kind() != reflect.String {
		return nil
	}
	if strings.IndexByte(f.v.String(), 0) >= 0 {
		return chatpic.Errorf(chatpic.KindInvalid, "field %q holds a NUL character, which is not text", f.name)
	}
	if loneSurrogate(raw) {
		return chatpic.Errorf(chatpic.KindInvalid, "field %q holds half of a UTF-16 surrogate pair, which is not text", f.name)
	}
	return nil
}

// setText sets the field from a form's value, named name in the form.
func (f bodyField) setText(name, s string) error {
	switch f.v.Kind() {
	case reflect.String:
		f.v.SetString(s)
		return nil
	case reflect.Bool:
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "", "0", "false", "off":
			f.v.SetBool(false)
		case "1", "true", "on":
			f.v.SetBool(true)
		default:
			return chatpic.Errorf(chatpic.KindInvalid, "field %q must be true or false", name)
		}
		return nil
	}
	s = strings.TrimSpace(s)
	if s == "" && f.v.Kind() == reflect.Pointer {
		f.v.SetZero() // a blank optional number: none
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return chatpic.Errorf(chatpic.KindInvalid, "field %q must be a whole number", name)
	}
	if f.v.Kind() == reflect.Pointer {
		f.v.Set(reflect.ValueOf(&n))
	} else {
		f.v.SetInt(int64(n))
	}
	return nil
}

// loneSurrogate reports whether raw, a valid JSON string literal, escapes
// half of a UTF-16 surrogate pair without the other half.
func loneSurrogate(raw []byte) bool {
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' {
			continue
		}
		i++ // the escaped character: skipped, so that `\\u` is no escape
		if raw[i] != 'u' {
			continue
		}
		r := hex4(raw[i+1 : i+5])
		i += 4
		switch {
		case r >= 0xDC00 && r <= 0xDFFF:
			return true // a second half first
		case r >= 0xD800 && r <= 0xDBFF:
			if i+6 >= len(raw) || raw[i+1] != '\\' || raw[i+2] != 'u' {
				return true
			}
			if low := hex4(raw[i+3 : i+7]); low < 0xDC00 || low > 0xDFFF {
				return true
			}
			i += 6
		}
	}
	return false
}

// hex4 reads four hex digits, which a valid JSON \u escape has.
func hex4(b []byte) rune {
	n, _ := strconv.ParseUint(string(b), 16, 16)
	return rune(n)
}
