from privacy_lint.cli import main

main()
