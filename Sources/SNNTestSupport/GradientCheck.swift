import SNNKit
