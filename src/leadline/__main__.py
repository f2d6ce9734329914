from leadline.cli.main import main

main()
