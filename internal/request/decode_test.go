package request

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/chatpic/chatpic"
)

func intp(n int) *int { return &n }

func bodyRequest(contentType, body string) (*httptest.ResponseRecorder, *http.Request) {
	r := httptest.NewRequest("POST", "/x", strings.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	return httptest.NewRecorder(), r
}

// TestEveryRequestStructDecodes keeps the request structs to the field
// types the decoders take.
func TestEveryRequestStructDecodes(t *testing.T) {
	for _, v := range []any{&Comment{}, &Vote{}, &Delete{}, &Report{}, &PostReport{}, &LinkReport{},
		&Removal{}, &Note{}, &NewModerator{}, &ChannelSettings{}, &SignIn{}} {
		w, r := bodyRequest("application/json", `{}`)
		if err := Decode(w, r, v); err != nil {
			t.Errorf("%T: %v", v, err)
		}
	}
}

func TestDecode(t *testing.T) {
	const js, form = "application/json", "application/x-www-form-urlencoded"
	tests := []struct {
		name        string
		contentType string
		body        string
		into        any // a pointer to a zero request struct
		want        any // what it holds after, when there is no error
		wantKind    chatpic.Kind
		wantMessage string
	}{
		{"a comment", js, `{"body":"nice","token":"t","pow":"a:1"}`, &Comment{}, &Comment{Body: "nice", Token: "t", Proof: "a:1"}, "", ""},
		{"a charset parameter", js + "; charset=utf-8", `{"body":"x"}` + "\n", &Comment{}, &Comment{Body: "x"}, "", ""},
		{"an emoji as a surrogate pair", js, `{"body":"\ud83d\ude00 and é"}`, &Comment{}, &Comment{Body: "😀 and é"}, "", ""},
		{"an escaped backslash before u is no escape", js, `{"body":"\\ud800"}`, &Comment{}, &Comment{Body: `\ud800`}, "", ""},
		{"fields of an embedded struct", js, `{"link":"l","reason":"spam","note":"n"}`, &LinkReport{},
			&LinkReport{Link: "l", Report: Report{Reason: "spam", Note: "n"}}, "", ""},
		{"a number that may be null", js, `{"capacity":null,"report_threshold":3}`, &ChannelSettings{},
			&ChannelSettings{ReportThreshold: intp(3)}, "", ""},
		{"a vote of zero", js, `{"value":0}`, &Vote{}, &Vote{Value: intp(0)}, "", ""},

		{"ban as a number", js, `{"ban":1}`, &Removal{}, nil, chatpic.KindInvalid, `field "ban" must be true or false`},
		{"a number as a string", js, `{"value":"1"}`, &Vote{}, nil, chatpic.KindInvalid, `field "value" must be a whole number`},
		{"a fraction", js, `{"value":0.5}`, &Vote{}, nil, chatpic.KindInvalid, "whole number"},
		{"text as a list", js, `{"body":["x"]}`, &Comment{}, nil, chatpic.KindInvalid, `field "body" must be a string`},
		{"null text", js, `{"body":null}`, &Comment{}, nil, chatpic.KindInvalid, "not null"},
		{"an unknown field", js, `{"body":"x","colour":"red"}`, &Comment{}, nil, chatpic.KindInvalid,
			`unknown field "colour": this request takes only "body", "pow", "token"`},
		{"a name in another case", js, `{"Body":"x"}`, &Comment{}, nil, chatpic.KindInvalid, `unknown field "Body"`},
		{"a field twice", js, `{"body":"x","body":"y"}`, &Comment{}, nil, chatpic.KindInvalid, "given twice"},
		{"trailing data", js, `{"body":"x"}{}`, &Comment{}, nil, chatpic.KindInvalid, "goes on after"},
		{"an array", js, `[{"body":"x"}]`, &Comment{}, nil, chatpic.KindInvalid, "not a JSON object"},
		{"an empty body", js, ``, &Comment{}, nil, chatpic.KindInvalid, "not a JSON object"},
		{"cut off", js, `{"body":"x"`, &Comment{}, nil, chatpic.KindInvalid, "not a JSON object"},
		{"invalid UTF-8", js, "{\"body\":\"\xff\"}", &Comment{}, nil, chatpic.KindInvalid, "UTF-8"},
		{"overlong UTF-8", js, "{\"body\":\"\xc0\xaf\"}", &Comment{}, nil, chatpic.KindInvalid, "UTF-8"},
		{"a raw NUL", js, "{\"body\":\"a\x00\"}", &Comment{}, nil, chatpic.KindInvalid, "NUL byte"},
		{"an escaped NUL", js, `{"body":"a\u0000"}`, &Comment{}, nil, chatpic.KindInvalid, `field "body" holds a NUL`},
		{"a lone high surrogate", js, `{"body":"\ud83d"}`, &Comment{}, nil, chatpic.KindInvalid, "surrogate"},
		{"a high surrogate before another escape", js, `{"body":"\ud83d\n"}`, &Comment{}, nil, chatpic.KindInvalid, "surrogate"},
		{"a lone low surrogate", js, `{"body":"x\ude00"}`, &Comment{}, nil, chatpic.KindInvalid, "surrogate"},
		{"too large", js, `{"body":"` + strings.Repeat("x", MaxBody) + `"}`, &Comment{}, nil, chatpic.KindTooLarge, "limited to 32 KB"},

		{"a form", form, "body=caf%C3%A9&token=t", &Comment{}, &Comment{Body: "café", Token: "t"}, "", ""},
		{"no content type, no body", "", "", &Note{}, &Note{}, "", ""},
		{"a checkbox ticked", form, "statement=s&ban=1", &Removal{}, &Removal{Statement: "s", Ban: true}, "", ""},
		{"a checkbox as on", form, "ban=on", &Removal{}, &Removal{Ban: true}, "", ""},
		{"false in a form", form, "ban=false", &Removal{}, &Removal{}, "", ""},
		{"a blank optional number", form, "capacity=&ttl=1h", &ChannelSettings{}, &ChannelSettings{TTL: "1h"}, "", ""},
		{"a number in a form", form, "capacity=+50+", &ChannelSettings{}, &ChannelSettings{Capacity: intp(50)}, "", ""},
		{"yes is not a bool", form, "ban=yes", &Removal{}, nil, chatpic.KindInvalid, `field "ban" must be true or false`},
		{"not a number in a form", form, "value=up", &Vote{}, nil, chatpic.KindInvalid, `field "value" must be a whole number`},
		{"a JSON name where the form has its own", form, "reason=s", &Removal{}, nil, chatpic.KindInvalid, `unknown field "reason"`},
		{"JSON sent as a form", form, `{"value":1}`, &Vote{}, nil, chatpic.KindInvalid, "Content-Type: application/json"},
		{"an unknown form field", form, "body=x&back=/", &Comment{}, nil, chatpic.KindInvalid, `unknown field "back"`},
		{"a form field twice", form, "value=1&value=-1", &Vote{}, nil, chatpic.KindInvalid, "more than once"},
		{"invalid UTF-8 in a form", form, "body=%FF", &Comment{}, nil, chatpic.KindInvalid, "UTF-8"},
		{"invalid UTF-8 in a name", form, "%FF=x", &Comment{}, nil, chatpic.KindInvalid, "UTF-8"},
		{"a NUL in a form", form, "body=a%00", &Comment{}, nil, chatpic.KindInvalid, "NUL"},
		{"bad percent-encoding", form, "body=%zz", &Comment{}, nil, chatpic.KindInvalid, "URL-encoding"},
		{"a form too large", form, "body=" + strings.Repeat("x", MaxBody), &Comment{}, nil, chatpic.KindTooLarge, ""},

		{"plain text", "text/plain", "hello", &Comment{}, nil, chatpic.KindUnsupported, "application/json"},
		{"multipart", "multipart/form-data; boundary=x", "--x--", &Comment{}, nil, chatpic.KindUnsupported, ""},
		{"a malformed content type", "application/json; =", `{}`, &Comment{}, nil, chatpic.KindUnsupported, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, r := bodyRequest(tt.contentType, tt.body)
			err := Decode(w, r, tt.into)
			if chatpic.ErrorKind(err) != tt.wantKind || !strings.Contains(chatpic.ErrorMessage(err), tt.wantMessage) {
				t.Fatalf("error %v (%s), want %s with %q", err, chatpic.ErrorKind(err), tt.wantKind, tt.wantMessage)
			}
			if err == nil && !reflect.DeepEqual(tt.into, tt.want) {
				t.Errorf("decoded %+v, want %+v", tt.into, tt.want)
			}
		})
	}
}

func TestAnnouncedTooLarge(t *testing.T) {
	w, r := bodyRequest("application/json", `{}`)
	r.ContentLength = MaxBody + 1
	if err := Decode(w, r, &Comment{}); chatpic.ErrorKind(err) != chatpic.KindTooLarge {
		t.Fatalf("a body announced over the limit: %v", err)
	}
}

// TestForm is Form as pages use it: fields of the page's own pass, and
// stay in r.PostForm.
func TestForm(t *testing.T) {
	tests := []struct {
		name        string
		contentType string
		body        string
		want        PostReport
		wantKind    chatpic.Kind
		wantBack    string
	}{
		{"a page's own field passes", "application/x-www-form-urlencoded", "reason=spam&back=%2Fmod&comment=c1",
			PostReport{Report: Report{Reason: "spam"}, Comment: "c1"}, "", "/mod"},
		{"a body of another type reads as an empty form", "application/json", `{"reason":"spam"}`, PostReport{}, "", ""},
		{"a NUL in a page's own field", "application/x-www-form-urlencoded", "reason=spam&back=%00", PostReport{}, chatpic.KindInvalid, ""},
		{"too large", "application/x-www-form-urlencoded", "note=" + strings.Repeat("x", MaxBody), PostReport{}, chatpic.KindTooLarge, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, r := bodyRequest(tt.contentType, tt.body)
			var got PostReport
			err := Form(w, r, &got)
			if chatpic.ErrorKind(err) != tt.wantKind {
				t.Fatalf("error %v, want %s", err, tt.wantKind)
			}
			if err != nil {
				return
			}
			if got != tt.want || r.PostForm.Get("back") != tt.wantBack || r.FormValue("back") != tt.wantBack {
				t.Errorf("got %+v and back %q, want %+v and %q", got, r.PostForm.Get("back"), tt.want, tt.wantBack)
			}
		})
	}
}

func TestChannelSettingsEdit(t *testing.T) {
	week := 7 * 24 * time.Hour
	e, err := ChannelSettings{Capacity: intp(50), TTL: "7d", Premod: "media", Challenge: "always"}.Edit()
	if err != nil || *e.Capacity != 50 || *e.TTL != week || e.ReportThreshold != nil || *e.Premod != chatpic.PremodMedia || *e.Challenge != chatpic.ChallengeAlways {
		t.Fatalf("Edit = %+v, %v", e, err)
	}
	if e, err := (ChannelSettings{}).Edit(); err != nil || e.Capacity != nil || e.TTL != nil || e.Premod != nil || e.Challenge != nil {
		t.Fatalf("an empty change: %+v, %v", e, err)
	}
	for _, bad := range []ChannelSettings{{TTL: "soon"}, {Premod: "some"}, {Challenge: "maybe"}} {
		if _, err := bad.Edit(); chatpic.ErrorKind(err) != chatpic.KindInvalid {
			t.Errorf("%+v: %v, want invalid", bad, err)
		}
	}
}
