from blocwatch.cli import main

main()
