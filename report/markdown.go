package report

import (
	"fmt"
	"html/template"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// The runbook (docs/checks.md) is served as HTML so that the report's
// links work with no network. This is the part of Markdown the runbook
// uses: ATX headings, paragraphs, nested lists, fenced code, pipe tables,
// code spans, links, strong and emphasis. Headings get the ids GitHub gives
// them, so "runbook#lame_refused" and "docs/checks.md#lame_refused" name the
// same section.

var (
	mdHeading   = regexp.MustCompile(`^(#{1,6})\s+(.*?)\s*#*\s*$`)
	mdBullet    = regexp.MustCompile(`^(\s*)([-*+])\s+(.*)$`)
	mdOrdered   = regexp.MustCompile(`^(\s*)(\d{1,9})[.)]\s+(.*)$`)
	mdTableSep  = regexp.MustCompile(`^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$`)
	mdRule      = regexp.MustCompile(`^\s{0,3}([-*_])(\s*[-*_]){2,}\s*$`)
	mdLink      = regexp.MustCompile(`\[([^\]]+)\]\(([^)\s]+)\)`)
	mdAutolink  = regexp.MustCompile(`&lt;(https?://[^\s&]+)&gt;`)
	mdStrong    = regexp.MustCompile(`\*\*([^*]+)\*\*`)
	mdEmphasis  = regexp.MustCompile(`(^|[\s(])\*([^*\s][^*]*?)\*`)
	mdSlugStrip = regexp.MustCompile("[`*]")
)

// Anchor is the id GitHub gives a heading with this text: lower case,
// spaces to hyphens, punctuation other than hyphens and underscores
// dropped. A check's runbook section is "runbook#" + Anchor(check).
func Anchor(heading string) string {
	heading = mdSlugStrip.ReplaceAllString(mdLink.ReplaceAllString(heading, "$1"), "")
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
		switch {
		case unicode.IsLetter(r), unicode.IsDigit(r), r == '-', r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	return b.String()
}

// WriteRunbook renders the runbook page from the runbook's Markdown.
func WriteRunbook(w io.Writer, md []byte, version string) error {
	data := struct {
		Title, Version string
		Body           template.HTML
	}{"Runbook — DNS Health Exporter", version, renderMarkdown(md)}
	if err := templates.ExecuteTemplate(w, "runbook.html", data); err != nil {
		return fmt.Errorf("rendering the runbook: %w", err)
	}
	return nil
}

// renderMarkdown turns the runbook into HTML. Every piece of text goes
// through template.HTMLEscapeString before any tag is added.
func renderMarkdown(md []byte) template.HTML {
	lines := strings.Split(strings.ReplaceAll(string(md), "\r\n", "\n"), "\n")
	var b strings.Builder
	ids := map[string]int{}
	var para []string
	flushPara := func() {
		if len(para) > 0 {
			b.WriteString("<p>" + inline(strings.Join(para, " ")) + "</p>\n")
			para = nil
		}
	}
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~"):
			flushPara()
			fence := trimmed[:3]
			b.WriteString("<pre><code>")
			for i++; i < len(lines) && !strings.HasPrefix(strings.TrimSpace(lines[i]), fence); i++ {
				b.WriteString(template.HTMLEscapeString(lines[i]) + "\n")
			}
			b.WriteString("</code></pre>\n")
		case trimmed == "":
			flushPara()
		case mdHeading.MatchString(line):
			flushPara()
			m := mdHeading.FindStringSubmatch(line)
			id := Anchor(m[2])
			if n := ids[id]; n > 0 {
				ids[id] = n + 1
				id = fmt.Sprintf("%s-%d", id, n)
			} else {
				ids[id] = 1
			}
			fmt.Fprintf(&b, "<h%d id=\"%s\">%s</h%d>\n", len(m[1]), template.HTMLEscapeString(id), inline(m[2]), len(m[1]))
		case strings.HasPrefix(trimmed, "|") && i+1 < len(lines) && mdTableSep.MatchString(lines[i+1]):
			flushPara()
			i = table(&b, lines, i)
		case mdRule.MatchString(line) && len(para) == 0:
			b.WriteString("<hr>\n")
		case mdBullet.MatchString(line) || mdOrdered.MatchString(line):
			flushPara()
			i = list(&b, lines, i)
		case strings.HasPrefix(trimmed, ">"):
			flushPara()
			var quote []string
			for ; i < len(lines) && strings.HasPrefix(strings.TrimSpace(lines[i]), ">"); i++ {
				quote = append(quote, strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(lines[i]), ">")))
			}
			i--
			b.WriteString("<blockquote><p>" + inline(strings.Join(quote, " ")) + "</p></blockquote>\n")
		default:
			para = append(para, trimmed)
		}
	}
	flushPara()
	return template.HTML(b.String()) // built from escaped text only
}

// table writes the pipe table starting at lines[i] and returns the index
// of its last line.
func table(b *strings.Builder, lines []string, i int) int {
	cells := func(s string) []string {
		s = strings.TrimSpace(s)
		s = strings.TrimSuffix(strings.TrimPrefix(s, "|"), "|")
		// A pipe inside a code span belongs to the cell.
		var out []string
		var cur strings.Builder
		code := false
		for _, r := range s {
			switch {
			case r == '`':
				code = !code
			case r == '|' && !code:
				out = append(out, strings.TrimSpace(cur.String()))
				cur.Reset()
				continue
			}
			cur.WriteRune(r)
		}
		return append(out, strings.TrimSpace(cur.String()))
	}
	b.WriteString("<table>\n<thead><tr>")
	for _, c := range cells(lines[i]) {
		b.WriteString("<th>" + inline(c) + "</th>")
	}
	b.WriteString("</tr></thead>\n<tbody>\n")
	i += 2
	for ; i < len(lines) && strings.HasPrefix(strings.TrimSpace(lines[i]), "|"); i++ {
		b.WriteString("<tr>")
		for _, c := range cells(lines[i]) {
			b.WriteString("<td>" + inline(c) + "</td>")
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</tbody></table>\n")
	return i - 1
}

// list writes the list starting at lines[i], nesting by indentation, and
// returns the index of its last line. A line that is not an item continues
// the item before it.
func list(b *strings.Builder, lines []string, i int) int {
	type level struct {
		indent int
		tag    string
	}
	var stack []level
	open := false // an <li> is open at the top level of the stack
	var item []string
	flushItem := func() {
		if len(item) > 0 {
			b.WriteString(inline(strings.Join(item, " ")))
			item = nil
		}
	}
	closeTo := func(indent int) {
		for len(stack) > 0 && stack[len(stack)-1].indent > indent {
			flushItem()
			b.WriteString("</li></" + stack[len(stack)-1].tag + ">\n")
			stack = stack[:len(stack)-1]
		}
	}
	for ; i < len(lines); i++ {
		line := lines[i]
		if strings.TrimSpace(line) == "" {
			// A blank line ends the list unless an item or an indented
			// continuation follows.
			if i+1 < len(lines) && (mdBullet.MatchString(lines[i+1]) || mdOrdered.MatchString(lines[i+1]) || strings.HasPrefix(lines[i+1], "  ")) && strings.TrimSpace(lines[i+1]) != "" {
				continue
			}
			break
		}
		var indent int
		var tag, text string
		if m := mdBullet.FindStringSubmatch(line); m != nil {
			indent, tag, text = len(m[1]), "ul", m[3]
		} else if m := mdOrdered.FindStringSubmatch(line); m != nil {
			indent, tag, text = len(m[1]), "ol", m[3]
		} else {
			if mdHeading.MatchString(line) || strings.HasPrefix(strings.TrimSpace(line), "```") {
				break
			}
			item = append(item, strings.TrimSpace(line))
			continue
		}
		closeTo(indent)
		switch {
		case len(stack) == 0 || indent > stack[len(stack)-1].indent:
			flushItem()
			b.WriteString("<" + tag + ">\n<li>")
			stack = append(stack, level{indent, tag})
		default:
			flushItem()
			b.WriteString("</li>\n<li>")
		}
		open = true
		item = append(item, text)
	}
	if open {
		closeTo(-1)
	}
	return i - 1
}

// inline renders code spans, links, strong and emphasis in one line of
// Markdown, escaping everything else. Code spans are set aside first, so
// that emphasis may enclose one ("**Severity and `probe_success`.**").
func inline(s string) string {
	var code []string
	var b strings.Builder
	parts := strings.Split(strings.ReplaceAll(s, "\uE000", ""), "`")
	for i, p := range parts {
		switch {
		case i%2 == 1 && i < len(parts)-1:
			b.WriteString("\uE000" + strconv.Itoa(len(code)) + "\uE000")
			code = append(code, "<code>"+template.HTMLEscapeString(p)+"</code>")
		case i%2 == 1:
			b.WriteString("`" + p)
		default:
			b.WriteString(p)
		}
	}
	out := inlineText(b.String())
	for i, c := range code {
		out = strings.Replace(out, "\uE000"+strconv.Itoa(i)+"\uE000", c, 1)
	}
	return out
}

func inlineText(s string) string {
	// Links first, on the raw text, so their addresses can be vetted.
	var b strings.Builder
	last := 0
	for _, m := range mdLink.FindAllStringSubmatchIndex(s, -1) {
		b.WriteString(emphasis(template.HTMLEscapeString(s[last:m[0]])))
		text, href := s[m[2]:m[3]], s[m[4]:m[5]]
		b.WriteString(`<a href="` + template.HTMLEscapeString(safeHref(href)) + `">` + emphasis(template.HTMLEscapeString(text)) + "</a>")
		last = m[1]
	}
	b.WriteString(emphasis(template.HTMLEscapeString(s[last:])))
	return b.String()
}

func emphasis(escaped string) string {
	escaped = mdAutolink.ReplaceAllString(escaped, `<a href="$1">$1</a>`)
	escaped = mdStrong.ReplaceAllString(escaped, "<strong>$1</strong>")
	return mdEmphasis.ReplaceAllString(escaped, "$1<em>$2</em>")
}

// safeHref keeps web and in-page links and points a link to another file
// of the repository at nothing rather than at a page the exporter does not
// serve.
func safeHref(href string) string {
	switch {
	case strings.HasPrefix(href, "#"):
		return href
	case strings.HasPrefix(href, "https://"), strings.HasPrefix(href, "http://"):
		return href
	}
	if i := strings.Index(href, "#"); i >= 0 && strings.HasPrefix(href, "checks.md") {
		return href[i:] // this very document
	}
	return "#"
}
