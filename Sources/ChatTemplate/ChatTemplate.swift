public enum ChatTemplatePlaceholder {}
