from django import forms
from django.utils.translation import gettext_lazy as _

from gaizao.core.forms import StyledForm


class TemplateUploadForm(StyledForm):
    file = forms.FileField(label=_("模板文件（.docx）"), widget=forms.ClearableFileInput(attrs={"accept": ".docx"}),
                           help_text=_("先下载当前模板，在 Word 或 WPS 中修改红头和文字，保留 {{ }} 与 {%p %} 标记，"
                                       "再上传；不超过 5 MB。"))
