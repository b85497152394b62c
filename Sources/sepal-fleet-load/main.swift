print("sepal-fleet-load")
