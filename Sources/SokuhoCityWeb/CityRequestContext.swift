import Hummingbird
import NIOCore

/// The city's request context: Hummingbird's core context plus the connection the request
/// came on, so that the body budget can cut off a body that arrives too slowly (`BodyBudget`).
struct CityRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
