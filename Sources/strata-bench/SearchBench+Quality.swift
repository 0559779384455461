import Foundation
struct FusionQuality { static func run() throws { print("quality: not yet") } }
