import { expect, test } from 'bun:test'
import { html } from './html.ts'

test('interpolations are escaped, nested fragments are not', () => {
  const title = '<script>alert("x")</script> & \'more\''
  const out = html`<p title="${title}">${title}${html`<b>ok</b>`}${[html`<i>1</i>`, '<2>']}</p>`.toString()
  expect(out).toBe(
    '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;more&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;more&#39;<b>ok</b><i>1</i>&lt;2&gt;</p>',
  )
  expect(html`${null}${undefined}${false}${0}`.toString()).toBe('0')
})
