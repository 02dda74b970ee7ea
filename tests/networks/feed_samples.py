# ruff: noqa: E501 - sample feeds keep the long lines the services send
"""Feeds as the real services send them, trimmed to a few entries.

Their shapes follow what Google Alerts, Reddit, YouTube, a WordPress blog and a JSON Feed
publisher serve: namespaces, redirect links, HTML in titles and summaries, entities.
"""

GOOGLE_ALERTS = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:idx="urn:atom-extension:indexing">
  <id>tag:google.com,2005:reference-time:alerts/06129498174436591245/1234567890123456789</id>
  <title>Google Alert - &quot;harbor street jewelers&quot;</title>
  <link href="https://www.google.com/alerts/feeds/06129498174436591245/1234567890123456789" rel="self"/>
  <updated>2026-11-20T14:05:11Z</updated>
  <entry>
    <id>tag:google.com,2013:googlealerts/feed:10813398812337181401</id>
    <title type="html">&lt;b&gt;Harbor Street Jewelers&lt;/b&gt; opens second store downtown</title>
    <link href="https://www.google.com/url?rct=j&amp;sa=t&amp;url=https://www.portlandtribune.example/business/harbor-street-jewelers-second-store&amp;ct=ga&amp;cd=CAIyGjk3&amp;usg=AOvVaw1x"/>
    <published>2026-11-20T09:15:00Z</published>
    <updated>2026-11-20T09:15:00Z</updated>
    <content type="html">The family-owned &lt;b&gt;jeweler&lt;/b&gt; will open on Alder Street in December &amp;amp; hire 12 people&amp;nbsp;...</content>
    <author><name/></author>
  </entry>
  <entry>
    <id>tag:google.com,2013:googlealerts/feed:3355260958141342006</id>
    <title type="html">Best engagement rings in Portland: &lt;b&gt;Harbor Street&lt;/b&gt; tops list</title>
    <link href="https://www.google.com/url?rct=j&amp;sa=t&amp;url=https://pdxmonthly.example/shopping/best-engagement-rings&amp;ct=ga&amp;cd=CAIyGjk4&amp;usg=AOvVaw2y"/>
    <published>2026-11-20T13:40:00Z</published>
    <updated>2026-11-20T13:40:00Z</updated>
    <content type="html">Our readers picked &lt;b&gt;Harbor Street&lt;/b&gt; for service &amp;#39;above and beyond&amp;#39;</content>
    <author><name/></author>
  </entry>
</feed>
"""

REDDIT_SEARCH = """<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/"><category term=" reddit.com" label="r/ reddit.com"/><updated>2026-11-21T08:02:44+00:00</updated><icon>https://www.redditstatic.com/icon.png/</icon><id>/search.rss?q=%22harbor+street+jewelers%22&amp;sort=new</id><link rel="self" href="https://www.reddit.com/search.rss?q=%22harbor+street+jewelers%22&amp;sort=new" type="application/atom+xml" /><link rel="alternate" href="https://www.reddit.com/search?q=%22harbor+street+jewelers%22&amp;sort=new" type="text/html" /><title>reddit.com: search results - &quot;harbor street jewelers&quot;</title><entry><author><name>/u/pdx_ring_hunter</name><uri>https://www.reddit.com/user/pdx_ring_hunter</uri></author><category term="Portland" label="r/Portland"/><content type="html">&lt;!-- SC_OFF --&gt;&lt;div class=&quot;md&quot;&gt;&lt;p&gt;Has anyone had a ring resized at Harbor Street Jewelers? They quoted me 3 weeks &amp;amp; I need it by the 12th.&lt;/p&gt; &lt;/div&gt;&lt;!-- SC_ON --&gt; &amp;#32; submitted by &amp;#32; &lt;a href=&quot;https://www.reddit.com/user/pdx_ring_hunter&quot;&gt; /u/pdx_ring_hunter &lt;/a&gt; &amp;#32; to &amp;#32; &lt;a href=&quot;https://www.reddit.com/r/Portland/&quot;&gt; r/Portland &lt;/a&gt;</content><id>t3_1gw8x2k</id><link href="https://www.reddit.com/r/Portland/comments/1gw8x2k/ring_resizing_at_harbor_street_jewelers/" /><updated>2026-11-21T07:58:02+00:00</updated><published>2026-11-21T07:58:02+00:00</published><title>Ring resizing at Harbor Street Jewelers?</title></entry><entry><author><name>/u/goldsmith_anna</name><uri>https://www.reddit.com/user/goldsmith_anna</uri></author><category term="jewelry" label="r/jewelry"/><content type="html">&lt;div class=&quot;md&quot;&gt;&lt;p&gt;Harbor Street Jewelers did a lovely job on my grandmother&amp;#39;s brooch.&lt;/p&gt;&lt;/div&gt;</content><id>t3_1gv1q9z</id><link href="https://www.reddit.com/r/jewelry/comments/1gv1q9z/restored_brooch/" /><updated>2026-11-20T18:21:40+00:00</updated><published>2026-11-20T18:21:40+00:00</published><title>Restored brooch</title></entry></feed>"""

YOUTUBE_CHANNEL = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns:yt="http://www.youtube.com/xml/schemas/2015" xmlns:media="http://search.yahoo.com/mrss/" xmlns="http://www.w3.org/2005/Atom">
 <link rel="self" href="http://www.youtube.com/feeds/videos.xml?channel_id=UCk1SpWNzOs4MYmr0uICEntg"/>
 <id>yt:channel:k1SpWNzOs4MYmr0uICEntg</id>
 <yt:channelId>k1SpWNzOs4MYmr0uICEntg</yt:channelId>
 <title>Rival Rings</title>
 <link rel="alternate" href="https://www.youtube.com/channel/UCk1SpWNzOs4MYmr0uICEntg"/>
 <author>
  <name>Rival Rings</name>
  <uri>https://www.youtube.com/channel/UCk1SpWNzOs4MYmr0uICEntg</uri>
 </author>
 <published>2019-03-02T17:55:26+00:00</published>
 <entry>
  <id>yt:video:8xA4Qw_v1ZM</id>
  <yt:videoId>8xA4Qw_v1ZM</yt:videoId>
  <yt:channelId>UCk1SpWNzOs4MYmr0uICEntg</yt:channelId>
  <title>How we set a 2 carat diamond</title>
  <link rel="alternate" href="https://www.youtube.com/watch?v=8xA4Qw_v1ZM"/>
  <author>
   <name>Rival Rings</name>
   <uri>https://www.youtube.com/channel/UCk1SpWNzOs4MYmr0uICEntg</uri>
  </author>
  <published>2026-11-19T16:00:07+00:00</published>
  <updated>2026-11-20T02:11:45+00:00</updated>
  <media:group>
   <media:title>How we set a 2 carat diamond</media:title>
   <media:content url="https://www.youtube.com/v/8xA4Qw_v1ZM?version=3" type="application/x-shockwave-flash" width="640" height="390"/>
   <media:thumbnail url="https://i2.ytimg.com/vi/8xA4Qw_v1ZM/hqdefault.jpg" width="480" height="360"/>
   <media:description>A bench jeweler shows every step of a prong setting. Tools &amp; tips inside.</media:description>
   <media:community>
    <media:starRating count="412" average="5.00" min="1" max="5"/>
    <media:statistics views="10482"/>
   </media:community>
  </media:group>
 </entry>
</feed>
"""

BLOG_RSS = """<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"
	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
	<title>Gem &amp; Loupe</title>
	<atom:link href="https://gemandloupe.example/feed/" rel="self" type="application/rss+xml" />
	<link>https://gemandloupe.example</link>
	<description>Notes from a jewelry trade journalist</description>
	<lastBuildDate>Fri, 20 Nov 2026 10:12:33 +0000</lastBuildDate>
	<language>en-US</language>
	{items}
</channel>
</rss>
"""

BLOG_ITEM = """<item>
		<title>{title}</title>
		<link>https://gemandloupe.example/{slug}/</link>
		<dc:creator><![CDATA[Mara Lindqvist]]></dc:creator>
		<pubDate>{date}</pubDate>
		<guid isPermaLink="false">https://gemandloupe.example/?p={post_id}</guid>
		<description><![CDATA[<p>{summary}</p><script>alert('x')</script>]]></description>
	</item>"""

JSON_FEED = """{
  "version": "https://jsonfeed.org/version/1.1",
  "title": "Atelier Notes",
  "home_page_url": "https://atelier.example/",
  "feed_url": "https://atelier.example/feed.json",
  "language": "fr",
  "authors": [{"name": "Atelier Noor"}],
  "items": [
    {
      "id": "https://atelier.example/2026/11/recycled-gold",
      "url": "https://atelier.example/2026/11/recycled-gold",
      "title": "Why we switched to recycled gold",
      "content_html": "<p>Every ring we cast now uses <em>recycled</em> gold &mdash; here is why.</p>",
      "date_published": "2026-11-18T08:30:00+01:00"
    },
    {
      "id": "2",
      "content_text": "Short note: the shop is closed on Monday. <not a tag>",
      "date_published": "2026-11-19T09:00:00Z",
      "authors": [{"name": "Noor"}]
    }
  ]
}
"""

HTML_PAGE = """<!DOCTYPE html>
<html lang="en"><head><title>Gem &amp; Loupe</title>
<link rel="alternate" type="application/rss+xml" href="/feed/"></head>
<body><h1>Welcome</h1><p>Read our blog.</p></body></html>
"""

BROKEN_FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Broken
<item><title>Unclosed & bad</title>
"""


def blog_feed(*posts: tuple[int, str, str]) -> str:
    """A WordPress-style RSS feed with ``(post_id, title, RFC 822 date)`` posts, newest first."""
    items = "\n".join(
        BLOG_ITEM.format(
            title=title,
            slug=f"post-{post_id}",
            date=date,
            post_id=post_id,
            summary=f"Summary of {title} &amp; more",
        )
        for post_id, title, date in posts
    )
    return BLOG_RSS.replace("{items}", items)
