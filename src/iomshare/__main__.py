from iomshare.cli import main

main()
