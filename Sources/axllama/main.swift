print("axllama")
