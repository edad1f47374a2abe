/// Playbooks to and from JSON: the form stored with each case (exactly what `hash` covers) and
/// the form the YAML loader hands over. One parser for both, so a stored version always reads back.
extension Playbook {
    public static let keys = ["playbook", "title", "description", "applies_to", "priority", "steps"]
    public static let stepKeys = ["id", "title", "guide", "type", "action", "after", "due", "role", "mandatory", "when"]

    /// The canonical form (defaults written out).
    public var json: JSONValue {
        var applies: [String: JSONValue] = ["kinds": .array(kinds.map { .string($0.rawValue) })]
        if let when { applies["when"] = .string(when.source) }
        var o: [String: JSONValue] = [
            "playbook": .string(id), "title": title.json, "applies_to": .object(applies), "priority": .int(Int64(priority)),
            "steps": .array(steps.map(\.json)),
        ]
        if let description { o["description"] = description.json }
        return .object(o)
    }

    /// Parses and validates a playbook. Errors name the path of the problem.
    public static func parse(_ v: JSONValue) throws(PlaybookError) -> Playbook {
        let o = try object(v, path: "", allowed: keys)
        guard let idValue = o["playbook"] else {
            throw PlaybookError(path: "playbook", "is required: the playbook's name, e.g. playbook: leak")
        }
        let id = try name(idValue, path: "playbook")
        let title = try LocalizedText.parse(o["title"], path: "title", required: true)!
        let description = try LocalizedText.parse(o["description"], path: "description", required: false)
        guard let appliesValue = o["applies_to"] else {
            throw PlaybookError(path: "applies_to", "is required: applies_to: {kinds: [leak]}")
        }
        let applies = try object(appliesValue, path: "applies_to", allowed: ["kinds", "when"])
        guard case .array(let kindValues)? = applies["kinds"], !kindValues.isEmpty else {
            throw PlaybookError(
                path: "applies_to.kinds",
                "must be a non-empty list of kinds (\(IncidentKind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        var kinds: [IncidentKind] = []
        for (i, k) in kindValues.enumerated() {
            guard let s = k.stringValue, let kind = IncidentKind(rawValue: s) else {
                var m = "must be one of \(IncidentKind.allCases.map(\.rawValue).joined(separator: ", ")), not \(k.canonicalString)"
                if let s = k.stringValue, let near = Suggestion.closest(to: s, among: IncidentKind.allCases.map(\.rawValue)) {
                    m += "; did you mean \"\(near)\"?"
                }
                throw PlaybookError(path: "applies_to.kinds[\(i)]", m)
            }
            kinds.append(kind)
        }
        let when = try condition(applies["when"], path: "applies_to.when")
        var priority = 0
        if let p = o["priority"] {
            guard case .int(let n) = p, (-1000...1000).contains(n) else {
                throw PlaybookError(path: "priority", "must be a whole number from -1000 to 1000")
            }
            priority = Int(n)
        }
        guard case .array(let stepValues)? = o["steps"], !stepValues.isEmpty else {
            throw PlaybookError(path: "steps", "must be a non-empty list of steps")
        }
        var steps: [Step] = []
        for (i, s) in stepValues.enumerated() { steps.append(try Step.parse(s, path: "steps[\(i)]")) }
        let playbook = Playbook(id: id, title: title, description: description, kinds: kinds, when: when, priority: priority, steps: steps)
        try playbook.checkGraph()
        return playbook
    }

    /// Unique ids, references to existing steps, no cycles (through `after` and `due.from`).
    func checkGraph() throws(PlaybookError) {
        var index: [String: Int] = [:]
        for (i, s) in steps.enumerated() {
            if let first = index[s.id] { throw PlaybookError(path: "steps[\(i)].id", "\"\(s.id)\" is already the id of steps[\(first)]") }
            index[s.id] = i
        }
        var edges: [Int: [(Int, String)]] = [:]
        for (i, s) in steps.enumerated() {
            for (j, dep) in s.after.enumerated() {
                guard let k = index[dep] else {
                    throw PlaybookError(path: "steps[\(i)].after[\(j)]", Self.missing(dep, among: Array(index.keys)))
                }
                if k == i { throw PlaybookError(path: "steps[\(i)].after[\(j)]", "a step cannot wait for itself") }
                edges[i, default: []].append((k, "after"))
            }
            if case .step(let ref)? = s.due?.from {
                guard let k = index[ref] else {
                    throw PlaybookError(path: "steps[\(i)].due.from", Self.missing(ref, among: Array(index.keys)))
                }
                if k == i { throw PlaybookError(path: "steps[\(i)].due.from", "a step's due time cannot count from itself") }
                edges[i, default: []].append((k, "due.from"))
            }
        }
        // Depth-first search for a cycle; report it as a path of step ids.
        var state = [Int](repeating: 0, count: steps.count)  // 0 new, 1 on the stack, 2 done
        var stack: [Int] = []
        func visit(_ n: Int) throws(PlaybookError) {
            state[n] = 1
            stack.append(n)
            for (m, via) in edges[n] ?? [] {
                if state[m] == 1 {
                    let cycle = stack[stack.firstIndex(of: m)!...].map { steps[$0].id } + [steps[m].id]
                    throw PlaybookError(
                        path: "steps[\(n)].\(via == "after" ? "after" : "due.from")",
                        "dependency cycle: \(cycle.joined(separator: " → "))")
                }
                if state[m] == 0 { try visit(m) }
            }
            stack.removeLast()
            state[n] = 2
        }
        for n in steps.indices where state[n] == 0 { try visit(n) }
    }

    static func missing(_ ref: String, among ids: [String]) -> String {
        var m = "no step has the id \"\(ref)\""
        if let s = Suggestion.closest(to: ref, among: ids) { m += "; did you mean \"\(s)\"?" }
        return m
    }

    static func object(_ v: JSONValue, path: String, allowed: [String]) throws(PlaybookError) -> [String: JSONValue] {
        guard case .object(let o) = v else { throw PlaybookError(path: path, "must be a mapping, not \(v.typeName)") }
        for k in o.keys.sorted() where !allowed.contains(k) {
            var m = "unknown key \"\(k)\""
            if let s = Suggestion.closest(to: k, among: allowed) {
                m += "; did you mean \"\(s)\"?"
            } else {
                m += "; keys: \(allowed.joined(separator: ", "))"
            }
            throw PlaybookError(path: path.isEmpty ? k : path + "." + k, m)
        }
        return o
    }

    static func name(_ v: JSONValue, path: String) throws(PlaybookError) -> String {
        guard case .string(let s) = v else {
            throw PlaybookError(path: path, "must be a name (letters, digits, - and _), not \(v.typeName)")
        }
        guard !s.isEmpty, s.count <= 64, s.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw PlaybookError(path: path, "\"\(s)\" is not a name: use letters, digits, - and _ (at most 64)")
        }
        return s
    }

    static func condition(_ v: JSONValue?, path: String) throws(PlaybookError) -> Condition? {
        guard let v, !v.isNull else { return nil }
        let text: String
        switch v {
        case .string(let s): text = s
        case .bool(true): text = "true"
        default: throw PlaybookError(path: path, "must be a condition such as \"count > 100\", not \(v.typeName)")
        }
        do { return try Condition(parsing: text) } catch {
            throw PlaybookError(
                path: path, "\(error.message) (in \"\(text)\"\(error.offset.map { ", column \($0)" } ?? ""))", offset: error.offset)
        }
    }
}

extension Playbook.Step {
    public var json: JSONValue {
        var o: [String: JSONValue] = [
            "id": .string(id), "title": title.json, "guide": guide.json, "type": .string(type.rawValue),
            "after": .array(after.map { .string($0) }), "role": .string(role.rawValue), "mandatory": .bool(mandatory),
        ]
        switch action {
        case .notifyCity(let event)?: o["action"] = ["type": "notify_city", "event": .string(event)]
        case .notify(let endpoint)?: o["action"] = ["type": "notify", "endpoint": .optional(endpoint)]
        case .remind?: o["action"] = ["type": "remind"]
        case nil: break
        }
        if let due {
            let from: String
            switch due.from {
            case .discovery: from = "discovery"
            case .report: from = "report"
            case .step(let s): from = s
            }
            o["due"] = ["in": .string(PlaybookDuration.format(due.seconds)), "from": .string(from)]
        }
        if let when { o["when"] = .string(when.source) }
        return .object(o)
    }

    /// Types of message a playbook may send to the city; the lifecycle's own are reserved.
    public static let reservedEvents = ([.opened, .updated, .closed, .stepNotice, .stepOverdue, .stepReminder] as [EscalationMessage.Kind])
        .map(\.rawValue)

    static func parse(_ v: JSONValue, path: String) throws(PlaybookError) -> Playbook.Step {
        let o = try Playbook.object(v, path: path, allowed: Playbook.stepKeys)
        guard let idValue = o["id"] else { throw PlaybookError(path: path + ".id", "is required") }
        let id = try Playbook.name(idValue, path: path + ".id")
        let title = try LocalizedText.parse(o["title"], path: path + ".title", required: true)!
        let guide = try LocalizedText.parse(o["guide"], path: path + ".guide", required: true)!
        var type = Playbook.StepType.manual
        if let t = o["type"] {
            guard let s = t.stringValue, let parsed = Playbook.StepType(rawValue: s) else {
                throw PlaybookError(path: path + ".type", "must be manual or auto, not \(t.canonicalString)")
            }
            type = parsed
        }
        var action: Playbook.Action?
        if let a = o["action"], !a.isNull {
            guard type == .auto else {
                throw PlaybookError(path: path + ".action", "only auto steps have an action; add type: auto or remove it")
            }
            action = try parseAction(a, path: path + ".action")
        } else if type == .auto {
            throw PlaybookError(path: path + ".action", "an auto step needs an action: notify_city, notify or remind")
        }
        var after: [String] = []
        if let a = o["after"], !a.isNull {
            let list: [JSONValue]
            switch a {
            case .array(let l): list = l
            case .string: list = [a]
            default: throw PlaybookError(path: path + ".after", "must be a list of step ids")
            }
            for (i, item) in list.enumerated() {
                let p = a.arrayValue == nil ? path + ".after" : path + ".after[\(i)]"
                guard let s = item.stringValue else { throw PlaybookError(path: p, "must be a step id, not \(item.typeName)") }
                after.append(s)
            }
        }
        var due: Playbook.Due?
        if let d = o["due"], !d.isNull { due = try parseDue(d, path: path + ".due") }
        if case .remind? = action, due == nil {
            throw PlaybookError(path: path + ".due", "a remind step needs a due time: the reminder goes out then")
        }
        var role = Role.lead
        if let r = o["role"] {
            guard let s = r.stringValue, let parsed = Role(rawValue: s), parsed != .admin else {
                throw PlaybookError(path: path + ".role", "must be lead, reporter or auditor, not \(r.canonicalString)")
            }
            role = parsed
        }
        var mandatory = false
        if let m = o["mandatory"] {
            guard case .bool(let b) = m else { throw PlaybookError(path: path + ".mandatory", "must be true or false, not \(m.typeName)") }
            mandatory = b
        }
        let when = try Playbook.condition(o["when"], path: path + ".when")
        return Playbook.Step(
            id: id, title: title, guide: guide, type: type, action: action, after: after, due: due, role: role,
            mandatory: mandatory, when: when)
    }

    static func parseAction(_ v: JSONValue, path: String) throws(PlaybookError) -> Playbook.Action {
        let o = try Playbook.object(v, path: path, allowed: ["type", "event", "endpoint"])
        guard let t = o["type"]?.stringValue else {
            throw PlaybookError(path: path + ".type", "is required: notify_city, notify or remind")
        }
        switch t {
        case "notify_city":
            guard let e = o["event"]?.stringValue else {
                throw PlaybookError(path: path + ".event", "is required: the message type the city receives, e.g. incident.contained")
            }
            let rest = e.hasPrefix("incident.") ? e.dropFirst("incident.".count) : ""
            guard !rest.isEmpty, rest.allSatisfy({ ($0.isASCII && $0.isLowercase) || $0 == "_" }) else {
                throw PlaybookError(
                    path: path + ".event", "must look like incident.contained (incident. and lower-case letters or _), not \"\(e)\"")
            }
            if reservedEvents.contains(e) {
                throw PlaybookError(path: path + ".event", "\(e) is sent by the daemon itself; choose another type")
            }
            if o["endpoint"] != nil {
                throw PlaybookError(
                    path: path + ".endpoint", "notify_city goes to the city's endpoints; use type: notify for another endpoint")
            }
            return .notifyCity(event: e)
        case "notify":
            if o["event"] != nil {
                throw PlaybookError(path: path + ".event", "notify sends incident.step_notice; event is for notify_city")
            }
            var endpoint: String?
            if let e = o["endpoint"], !e.isNull { endpoint = try Playbook.name(e, path: path + ".endpoint") }
            return .notify(endpoint: endpoint)
        case "remind":
            if o["event"] != nil || o["endpoint"] != nil {
                throw PlaybookError(path: path, "remind takes no event or endpoint (it uses playbooks.notify)")
            }
            return .remind
        default:
            var m = "must be notify_city, notify or remind, not \"\(t)\""
            if let s = Suggestion.closest(to: t, among: ["notify_city", "notify", "remind"]) { m += "; did you mean \"\(s)\"?" }
            throw PlaybookError(path: path + ".type", m)
        }
    }

    /// `due: 4h` (from discovery) or `due: {in: 4h, from: discovery | report | STEP}`.
    static func parseDue(_ v: JSONValue, path: String) throws(PlaybookError) -> Playbook.Due {
        var inText: JSONValue
        var from = Playbook.Anchor.discovery
        switch v {
        case .string: inText = v
        case .object:
            let o = try Playbook.object(v, path: path, allowed: ["in", "from"])
            guard let i = o["in"] else { throw PlaybookError(path: path + ".in", "is required, e.g. in: 4h") }
            inText = i
            if let f = o["from"] {
                guard let s = f.stringValue else { throw PlaybookError(path: path + ".from", "must be discovery, report or a step id") }
                switch s {
                case "discovery": from = .discovery
                case "report": from = .report
                default: from = .step(s)
                }
            }
        default:
            throw PlaybookError(path: path, "must be a duration such as 4h, or {in: 4h, from: STEP}, not \(v.typeName)")
        }
        guard let text = inText.stringValue, let seconds = PlaybookDuration.parse(text) else {
            throw PlaybookError(
                path: path + (v.objectValue == nil ? "" : ".in"),
                "must be a duration such as 30m, 4h, 3d or 2w (at most a year), not \(inText.canonicalString)")
        }
        return Playbook.Due(seconds: seconds, from: from)
    }
}
