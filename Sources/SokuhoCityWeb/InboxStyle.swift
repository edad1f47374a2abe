/// The inbox's one stylesheet, served at `/style.css` (the CSP allows styles from the inbox
/// itself only: no inline style anywhere).
enum InboxStyle {
    static let css = """
        body { font-family: "Noto Sans JP", "Hiragino Sans", "Segoe UI", sans-serif; margin: 0; color: #1b1f24; background: #f6f7f9; }
        header { display: flex; justify-content: space-between; align-items: center; padding: 0.6rem 1.2rem; background: #1d3557; color: #fff; }
        header a { color: #fff; text-decoration: none; }
        header .home { font-weight: bold; }
        nav { display: flex; gap: 0.8rem; align-items: center; }
        nav .user { opacity: 0.8; }
        form.logout { display: inline; margin: 0; }
        main { padding: 1rem 1.2rem; }
        footer { padding: 0.6rem 1.2rem; color: #666; font-size: 0.8rem; }
        h1 small { color: #666; font-weight: normal; font-size: 0.9rem; margin-left: 0.5rem; }
        p.pager { margin: 0.4rem 0; }
        p.pager a { margin: 0 0.6rem; }
        table { border-collapse: collapse; background: #fff; width: 100%; margin-bottom: 1rem; }
        th, td { border: 1px solid #d6dae0; padding: 0.35rem 0.5rem; text-align: left; vertical-align: top; font-size: 0.9rem; }
        thead th { background: #e9edf2; }
        table.facts th { width: 14rem; background: #f0f2f5; }
        td.num { text-align: right; white-space: nowrap; }
        tr.attention td:first-child { border-left: 4px solid #d62828; }
        td.late { color: #b00020; font-weight: bold; }
        .error { color: #b00020; font-weight: bold; }
        form.filter, form.issue, form.login { display: flex; flex-wrap: wrap; gap: 0.6rem; align-items: flex-end; margin: 0.6rem 0 1rem; }
        form.issue, form.login { flex-direction: column; align-items: stretch; max-width: 40rem; background: #fff; padding: 0.8rem; border: 1px solid #d6dae0; }
        label { display: flex; flex-direction: column; gap: 0.2rem; font-size: 0.85rem; }
        form.filter label { flex-direction: row; align-items: center; gap: 0.3rem; }
        input, select, textarea, button { font: inherit; padding: 0.3rem; }
        button { background: #1d3557; color: #fff; border: 0; padding: 0.4rem 0.9rem; cursor: pointer; }
        nav button { background: #457b9d; }
        code { font-size: 0.8rem; }
        """
}
