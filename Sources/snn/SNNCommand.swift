@main struct SNNCommand { static func main() {} }
