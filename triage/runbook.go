package triage

import (
	"regexp"
	"strings"
)

// Runbook is docs/checks.md read for what the check command prints: each
// check's summary and its "What to do" steps.
//
// A nil *Runbook is valid and knows no check.
type Runbook struct {
	entries map[string]RunbookEntry
	order   []string
}

// RunbookEntry is one "## <check_id>" section of the runbook.
type RunbookEntry struct {
	// Check is the section's heading: the check ID.
	Check string
	// Severity is the word after "**Severity:**", e.g. "error"; "" when the
	// section has none.
	Severity string
	// Summary is the check's one-line summary from the runbook's contents
	// table, or else the first sentence of its "**What it means:**"
	// paragraph; "" when neither is there.
	Summary string
	// Steps are the items of the "**What to do:**" list, in the runbook's
	// order, as plain text: Markdown links are reduced to their text and
	// emphasis markers dropped; inline code keeps its backticks. A section
	// whose "What to do" is a paragraph rather than a list has that
	// paragraph as its one step.
	Steps []string
}

var (
	headingRE   = regexp.MustCompile(`^(#{1,6})\s+(.*?)\s*#*\s*$`)
	checkIDRE   = regexp.MustCompile(`^[a-z0-9_]+$`)
	contentsRE  = regexp.MustCompile(`^\|\s*\[([a-z0-9_]+)\]\(#[a-z0-9_]+\)\s*\|\s*([a-z]*)\s*\|\s*(.*?)\s*\|\s*$`)
	labelRE     = regexp.MustCompile(`^\*\*([^*]+):\*\*\s*(.*)$`)
	orderedRE   = regexp.MustCompile(`^ {0,3}\d{1,9}[.)]\s+(.*)$`)
	bulletRE    = regexp.MustCompile(`^ {0,3}[-*+]\s+(.*)$`)
	linkRE      = regexp.MustCompile(`\[([^\]]+)\]\(([^)\s]+)\)`)
	strongRE    = regexp.MustCompile(`\*\*([^*]+)\*\*|__([^_]+)__`)
	emphasisRE  = regexp.MustCompile(`(^|[\s(])\*([^*\s][^*]*?)\*`)
	sentenceEnd = regexp.MustCompile(`[.:;](\s|$)`)
)

// ParseRunbook reads docs/checks.md. Every level-2 heading that is a check
// ID starts a section; anything it cannot make sense of is skipped, so a
// runbook being edited never stops the check command from printing.
func ParseRunbook(md []byte) *Runbook {
	rb := &Runbook{entries: map[string]RunbookEntry{}}
	contents := map[string][2]string{} // check ID -> severity, summary
	lines := strings.Split(strings.ReplaceAll(string(md), "\r\n", "\n"), "\n")

	var (
		cur     *RunbookEntry
		label   string // the current "**Label:**" paragraph, lower case
		inSteps bool   // inside the What to do list
		indent  = -1   // the indentation of the list's items, once known
		blank   bool   // the previous line was blank
		fence   bool   // inside a ``` block
		meaning string // the What it means paragraph so far
	)
	flush := func() {
		if cur == nil {
			return
		}
		if cur.Summary == "" {
			cur.Summary = firstSentence(meaning)
		}
		if _, dup := rb.entries[cur.Check]; !dup {
			rb.order = append(rb.order, cur.Check)
			rb.entries[cur.Check] = *cur
		}
		cur, label, inSteps, meaning, indent = nil, "", false, "", -1
	}
	appendStep := func(s string, newItem bool) {
		s = strings.TrimSpace(s)
		if s == "" {
			return
		}
		if newItem || len(cur.Steps) == 0 {
			cur.Steps = append(cur.Steps, s)
			return
		}
		cur.Steps[len(cur.Steps)-1] += " " + s
	}

	for _, line := range lines {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~") {
			fence = !fence
			blank = false
			continue
		}
		if fence {
			continue // code blocks are examples, not steps
		}
		if m := headingRE.FindStringSubmatch(line); m != nil {
			if len(m[1]) <= 2 {
				flush()
				if len(m[1]) == 2 && checkIDRE.MatchString(m[2]) {
					cur = &RunbookEntry{Check: m[2]}
				}
			} else if cur != nil {
				label, inSteps = "", false // a sub-heading ends the list
			}
			blank = false
			continue
		}
		if cur == nil {
			if m := contentsRE.FindStringSubmatch(trimmed); m != nil {
				contents[m[1]] = [2]string{m[2], plain(m[3])}
			}
			continue
		}
		if trimmed == "" {
			blank = true
			continue
		}
		if m := labelRE.FindStringSubmatch(trimmed); m != nil && !strings.HasPrefix(line, " ") {
			// "**What to do, most urgent first:**" is a What to do too.
			label = strings.ToLower(strings.TrimSpace(m[1]))
			for _, l := range []string{"severity", "what it means", "what to do"} {
				if strings.HasPrefix(label, l) {
					label = l
				}
			}
			inSteps, indent = label == "what to do", -1
			switch label {
			case "severity":
				cur.Severity = strings.ToLower(strings.TrimRight(firstWord(m[2]), ".,;"))
			case "what it means":
				meaning = m[2]
			case "what to do":
				appendStep(plain(m[2]), true)
			}
			blank = false
			continue
		}
		switch {
		case inSteps:
			lead := len(line) - len(strings.TrimLeft(line, " "))
			item := orderedRE.FindStringSubmatch(line)
			if item == nil {
				item = bulletRE.FindStringSubmatch(line)
			}
			if item != nil && indent < 0 {
				indent = lead
			}
			if item != nil && lead <= indent {
				appendStep(plain(item[1]), true)
			} else if strings.HasPrefix(line, "  ") || strings.HasPrefix(line, "\t") || !blank {
				// A continuation or a nested item belongs to the last step.
				appendStep(plain(strings.TrimLeft(trimmed, "-*+ ")), false)
			} else {
				inSteps = false // a paragraph after the list
			}
		case label == "what it means" && !blank:
			meaning += " " + trimmed
		}
		blank = false
	}
	flush()
	for id, e := range rb.entries {
		if c, ok := contents[id]; ok {
			if c[1] != "" {
				e.Summary = c[1]
			}
			if e.Severity == "" {
				e.Severity = c[0]
			}
			rb.entries[id] = e
		}
	}
	return rb
}

// Entry returns the runbook section of a check.
func (rb *Runbook) Entry(check string) (RunbookEntry, bool) {
	if rb == nil {
		return RunbookEntry{}, false
	}
	e, ok := rb.entries[check]
	if ok {
		e.Steps = append([]string(nil), e.Steps...)
	}
	return e, ok
}

// Checks lists the check IDs the runbook has a section for, in its order.
func (rb *Runbook) Checks() []string {
	if rb == nil {
		return nil
	}
	return append([]string(nil), rb.order...)
}

// plain turns one line of Markdown into text for a terminal: links become
// their text (an external one keeps its address in parentheses) and
// emphasis markers go. Code spans are left alone, backticks included.
func plain(s string) string {
	var b strings.Builder
	parts := strings.Split(s, "`")
	for i, p := range parts {
		if i > 0 {
			b.WriteByte('`')
		}
		if i%2 == 1 && i < len(parts)-1 {
			b.WriteString(p) // inside a code span
			continue
		}
		p = linkRE.ReplaceAllStringFunc(p, func(m string) string {
			sub := linkRE.FindStringSubmatch(m)
			if strings.HasPrefix(sub[2], "#") {
				return sub[1]
			}
			return sub[1] + " (" + sub[2] + ")"
		})
		p = strongRE.ReplaceAllString(p, "$1$2")
		p = emphasisRE.ReplaceAllString(p, "$1$2")
		b.WriteString(p)
	}
	return strings.TrimSpace(b.String())
}

func firstWord(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// firstSentence is the text up to the first full stop, colon or
// semicolon, without it.
func firstSentence(s string) string {
	s = plain(strings.TrimSpace(s))
	if loc := sentenceEnd.FindStringIndex(s); loc != nil {
		s = s[:loc[0]]
	}
	return strings.TrimSpace(s)
}
