print("sepal")
