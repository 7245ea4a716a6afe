import AloftCompiler
import AloftWire
import Hummingbird

/// Server-rendered HTML for the console: escaping, the page frame (one stylesheet, a little script), and
/// how values and phases look. No build step, no external assets.
enum HTML {
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    /// A path segment for a link (node paths like `score[3]`, ids).
    static func segment(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            let c = Character(Unicode.Scalar(b))
            if c.isLetter && b < 128 || c.isNumber && b < 128 || "-_.~".contains(c) {
                out.append(c)
            } else {
                out += "%" + String(b, radix: 16, uppercase: true).leftPadded(2)
            }
        }
        return out
    }

    /// `events`: the page's server-sent events (ConsoleEvents); while it is live the page refetches itself on
    /// each event, and polls when the browser has no EventSource or the stream fails.
    static func page(_ title: String, live: Bool = false, events: String? = nil, _ body: String) -> Response {
        let html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title)) · Aloft</title>
            <style>\(style)</style></head>
            <body><header><a class="brand" href="/console/executions">Aloft</a>
            <nav><a href="/console/executions">Executions</a><a href="/console/launch">Launch</a>
            <a href="/console/registry">Registry</a>
            <a href="/console/plugins">Plugins</a>
            <form method="post" action="/console/logout"><button>Log out</button></form></nav></header>
            <main id="live" data-live="\(live)"\(events.map { " data-events=\"\(escape($0))\"" } ?? "")>\(body)</main>
            <script>\(script)</script></body></html>
            """
        return Response(
            status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    static func badge(_ status: String) -> String {
        let phase = status.split(separator: " ").first.map(String.init) ?? status
        return "<span class=\"badge \(escape(phase))\">\(escape(status))</span>"
    }

    /// A value as people read it: scalars plainly, blobs as links to their download.
    static func value(_ l: Literal, download: String?) -> String {
        switch l {
        case .blob(let b):
            let label = escape(b.uri)
            guard let download, b.type.dimensionality == .file else { return "<code>\(label)</code>" }
            return "<a href=\"\(escape(download))\"><code>\(label)</code></a>"
        case .dataset(let d): return "<code>\(escape(d.uri))</code> (\(escape(d.format)))"
        default: return "<code>\(escape(GraphRenderer.plain(l)))</code>"
        }
    }

    static func values(_ map: LiteralMap?, download: (String) -> String?) -> String {
        guard let map, !map.isEmpty else { return "<span class=\"muted\">none</span>" }
        return "<table class=\"kv\">"
            + map.keys.sorted().map { k in
                "<tr><th>\(escape(k))</th><td>\(value(map[k]!, download: download(k)))</td></tr>"
            }.joined() + "</table>"
    }

    /// While the page shows something running it is fetched again and its main part replaced when it
    /// changed: on each server-sent event where the page has a stream (an execution's page), else every 1.5 s
    /// (also when the stream fails). Live status without a build step. (A browser test must find elements
    /// again after a change: the old ones are gone.)
    static let script = """
        (function () {
          async function refresh() {
            const main = document.getElementById('live');
            if (!main) return;
            try {
              const r = await fetch(location.href, {credentials: 'same-origin'});
              if (r.ok) {
                const doc = new DOMParser().parseFromString(await r.text(), 'text/html');
                const next = doc.getElementById('live');
                // Unchanged content is left alone: no flicker, a selection survives, elements stay the same.
                if (next && next.innerHTML !== main.innerHTML) {
                  const open = [...main.querySelectorAll('details[open]')].map(d => d.id);
                  main.replaceWith(next);
                  open.forEach(id => { const d = document.getElementById(id); if (d) d.open = true; });
                }
              }
            } catch (e) {}
          }
          function live() { const m = document.getElementById('live'); return m && m.dataset.live === 'true'; }
          async function tick() {
            if (!live()) return;
            await refresh();
            setTimeout(tick, 1500);
          }
          const main = document.getElementById('live');
          if (!live()) return;
          if (main.dataset.events && window.EventSource) {
            const source = new EventSource(main.dataset.events);
            source.addEventListener('phase', refresh);
            // The stream ends when the execution does, or fails: one last refresh, then polling while live.
            source.onerror = () => { source.close(); refresh().then(() => setTimeout(tick, 1500)); };
          } else {
            setTimeout(tick, 1500);
          }
        })();
        """

    static let style = """
        body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
        header{display:flex;align-items:center;gap:24px;padding:10px 24px;background:#1d2330;color:#fff}
        header a{color:#fff;text-decoration:none}.brand{font-weight:700;font-size:18px}
        nav{display:flex;gap:16px;align-items:center;flex:1}nav form{margin-left:auto}
        nav button{background:none;border:1px solid #8a93a6;color:#fff;border-radius:4px;padding:3px 10px;cursor:pointer}
        main{padding:20px 24px;max-width:1200px}h1{font-size:20px;margin:0 0 12px}h2{font-size:16px;margin:24px 0 8px}
        table{border-collapse:collapse;background:#fff;width:100%}th,td{text-align:left;padding:6px 10px;border-bottom:1px solid #e3e6eb;vertical-align:top}
        th{font-weight:600;color:#4a5366}table.kv{width:auto}table.kv th{padding-right:16px}
        a{color:#2456c7}code{font:12px ui-monospace,monospace}.muted{color:#8a93a6}
        .badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;background:#e3e6eb}
        .succeeded{background:#d5f2dc;color:#17692b}.failed{background:#fbd9d7;color:#a3221b}.running{background:#d8e6fd;color:#1d4fa8}
        .aborted,.skipped{background:#eee;color:#555}.queued{background:#fff3cd;color:#7a5b00}.orphaned,.damaged{background:#fde2c4;color:#8a4b00}
        svg .node rect{stroke:#4a5366;stroke-width:1}svg text{font:12px system-ui,sans-serif}svg .edge{stroke:#8a93a6;fill:none;marker-end:url(#arrow)}
        details{background:#fff;border:1px solid #e3e6eb;border-radius:6px;margin:8px 0;padding:8px 12px}summary{cursor:pointer}
        ul.lineage{margin:0;padding-left:16px}.error{color:#a3221b}.filters{display:flex;gap:8px;margin-bottom:12px}.filters a{padding:2px 8px;border-radius:4px;background:#fff;border:1px solid #e3e6eb}
        input{font:13px ui-monospace,monospace;padding:4px 6px;min-width:260px}button{padding:4px 14px;cursor:pointer}
        form.login{background:#fff;padding:20px;border-radius:6px;max-width:480px}form.login input{width:100%;padding:6px;margin:8px 0;font:13px ui-monospace,monospace}
        """
}

extension String {
    fileprivate func leftPadded(_ n: Int) -> String { String(repeating: "0", count: max(0, n - count)) + self }
}
