package web

import "testing"

func TestCommentHTML(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain text is escaped", `<b>"hi"</b> & bye`, `&lt;b&gt;&#34;hi&#34;&lt;/b&gt; &amp; bye`},
		{"a link", "see https://example.org/a?b=1&c=2 now",
			`see <a href="https://example.org/a?b=1&amp;c=2" rel="nofollow noopener ugc noreferrer" target="_blank">https://example.org/a?b=1&amp;c=2</a> now`},
		{"sentence punctuation stays outside", "look: http://x.test/p.",
			`look: <a href="http://x.test/p" rel="nofollow noopener ugc noreferrer" target="_blank">http://x.test/p</a>.`},
		{"a reference to another comment", ">>12 agreed", `<a class="ref" href="#c-12">&gt;&gt;12</a> agreed`},
		{"no script through a link", `https://x.test/"onmouseover="alert(1)`,
			`<a href="https://x.test/" rel="nofollow noopener ugc noreferrer" target="_blank">https://x.test/</a>&#34;onmouseover=&#34;alert(1)`},
		{"javascript: is not a link", "javascript:alert(1)", "javascript:alert(1)"},
		{"a reference by comment ID", "see >>B5wzDQhpNC52CfDVtZ2E", `see <a class="ref" href="#id-B5wzDQhpNC52CfDVtZ2E">&gt;&gt;B5wzDQhpNC52CfDVtZ2E</a>`},
		{"a quote that is not a reference", ">>> not a ref", "&gt;&gt;&gt; not a ref"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(commentHTML(tt.in)); got != tt.want {
				t.Fatalf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}
