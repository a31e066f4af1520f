print("aft")
